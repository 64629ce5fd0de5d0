"""Atomic counters for threads that share one sample's steps (``kernels/spiking_threads.py``).

:func:`fetch_add` adds to an int64 array element atomically and returns its old value; :func:`load` reads one
with acquire ordering, so that what another thread wrote before its ``fetch_add`` is visible after a
``load`` that sees it; :func:`relax` gives the core away (POSIX ``sched_yield``) while a thread waits for
another that the machine has not scheduled. LLVM instructions, so kernels using them stay cacheable.
"""
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


def _element_pointer(context, builder, array_type, array, index):
    return cgutils.get_item_pointer(context, builder, array_type, context.make_array(array_type)(context, builder,
                                                                                                  array), [index])


@intrinsic
def fetch_add(typingctx, array, index, value):
    """``array[index] += value`` atomically (sequentially consistent); returns the value before."""
    if not (isinstance(array, types.Array) and array.dtype == types.int64 and array.ndim == 1):
        return None

    def codegen(context, builder, signature, args):
        pointer = _element_pointer(context, builder, signature.args[0], args[0], args[1])
        amount = context.cast(builder, args[2], signature.args[2], types.int64)
        return builder.atomic_rmw("add", pointer, amount, "seq_cst")
    return types.int64(array, index, value), codegen


@intrinsic
def load(typingctx, array, index):
    """``array[index]`` read atomically with acquire ordering."""
    if not (isinstance(array, types.Array) and array.dtype == types.int64 and array.ndim == 1):
        return None

    def codegen(context, builder, signature, args):
        pointer = _element_pointer(context, builder, signature.args[0], args[0], args[1])
        return builder.load_atomic(pointer, "acquire", 8)
    return types.int64(array, index), codegen


@intrinsic
def relax(typingctx):
    """Yield the core to another runnable thread (``sched_yield``)."""
    def codegen(context, builder, signature, args):
        callee = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(32), []), "sched_yield")
        builder.call(callee, [])
        return context.get_dummy_value()
    return types.void(), codegen
