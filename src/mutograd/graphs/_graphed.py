def make_graphed_callables(callables, sample_args, num_warmup_iters=3, allow_unused_input=False, pool=None):
    raise NotImplementedError("mutograd.graphs.make_graphed_callables is not supported yet")
