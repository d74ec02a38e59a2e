"""The settings' caps on training requests, and the 422s that state them.

Epochs and work (epochs x training samples x parameters x networks) are capped as before; the
work model of app.lab.nn.work adds a cap on the estimated peak memory and refuses a request whose
time floor is already over the wall-time limit. Every message states the cap, the request's own
figure and the setting, located at the body field to change.
"""

from fastapi.exceptions import RequestValidationError

from app.config import Settings
from app.lab.nn.control import TimeLimitExceeded
from app.lab.nn.work import WorkEstimate, estimate
from app.web.errors import error_item
from app.web.schemas.training import SweepRequest, TrainingOptions, TrainRequest, describe_work

LIMIT_ERROR = "value_error.limit"  # app.web.observability counts these as refused over_cap


def over_limit(field: str, message: str) -> RequestValidationError:
    """A 422 in the app's error shape, located at the body field it concerns."""
    return RequestValidationError([error_item(["body", field], message, LIMIT_ERROR)])


def work_estimate(options: TrainingOptions) -> WorkEstimate:
    """The memory bound and time floor of a train or sweep request."""
    if isinstance(options, SweepRequest):
        return estimate(options.run_shape(options.seeds, len(options.activations)))
    assert isinstance(options, TrainRequest)
    # the hidden-space views are counted as snapshot values; their forward passes, one snapshot
    # at a time, are smaller than the training's own, already counted
    values = options.snapshot_values + options.hidden_space_values
    return estimate(options.run_shape(1, snapshot_values=values))


def check_limits(options: TrainingOptions, settings: Settings, n_networks: int) -> None:
    """422 when the request asks for more epochs, work, memory or time than the settings allow."""
    if options.epochs > settings.train_max_epochs:
        raise over_limit(
            "epochs",
            f"epochs = {options.epochs} exceeds this server's cap of {settings.train_max_epochs}",
        )
    n_params = options.layout().n_params
    if options.epochs * options.n_train * n_params * n_networks > settings.train_max_work:
        spelled = describe_work(options.epochs, options.n_train, n_params, n_networks)
        raise over_limit(
            "epochs",
            f"this request needs {spelled}, over this server's cap of "
            f"{settings.train_max_work:.3g} (epochs x training samples x parameters x networks); "
            "use fewer epochs, samples, units or seeds",
        )
    work = work_estimate(options)
    cap_mib = settings.train_max_memory_mb
    over_memory = work.peak_mib > cap_mib
    if over_memory or work.seconds > settings.train_time_limit_s:
        if over_memory:
            field = "seeds" if isinstance(options, SweepRequest) else "hidden_layers"
            if work.snapshot_bytes > work.network_bytes:
                field = "snapshots"
        else:
            field = "epochs"
        raise over_limit(
            field,
            f"this request is estimated to need {work.peak_mib:.0f} MiB at its peak and at "
            f"least {work.seconds:.3g} s; this server's caps are {cap_mib} MiB per training "
            f"(ACTLAB_TRAIN_MAX_MEMORY_MB) and {settings.train_time_limit_s:g} s "
            "(ACTLAB_TRAIN_TIME_LIMIT_S): use fewer seeds, samples, units, snapshots or epochs",
        )


def time_limit_error(err: TimeLimitExceeded) -> RequestValidationError:
    return over_limit(
        "epochs",
        f"{err}; this server stops a training request after {err.limit_s:g} s: "
        "ask for fewer epochs, samples, units or seeds",
    )
