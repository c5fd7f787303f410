"""Sweep job directories that are unique by construction and stay readable.

A sweep's job is named `<tgt>_<method>` (`ee_lrx_trans_train_en_names`) when only the language and the method
vary, as in every experiment; when other keys are swept too, their values follow, Hydra's `override_dirname`
style (`key=value`, comma separated, sorted): `lrx-run -m seed=1,2` makes `ee_lrx_trans_train_en_names,seed=1`
and `...,seed=2`. conf/config.yaml's `hydra.sweep.subdir` is `${lrx_job_dir:${tgt}_${method.name},
${hydra.job.override_dirname}}`.

Which keys are "swept" only the sweep's own command line knows: a job sees its own overrides (`seed=2`,
`model=tiny`), not which of them differ between jobs. `SweptKeys`, a Hydra callback (conf/config.yaml,
`hydra.callbacks`), reads the sweep's overrides when the multirun starts (a sweep override such as `seed=1,2`,
and the keys of `hydra.sweeper.params`: an experiment's axes, an Optuna search space) and adds every other
overridden key to `hydra.job.config.override_dirname.exclude_keys` of the jobs, through the master config's
hydra overrides, which every launcher (in process, joblib, submitit) composes each job with. So the fixed
overrides of a sweep (`model=tiny`, size caps) never lengthen the names, whatever the launcher. Composed
without the callback (Hydra's compose API, a test), every overridden key that is not excluded is named.

`hydra.job.config.override_dirname.exclude_keys` (conf/config.yaml) lists the keys never named: the language
and method (already the name's `<tgt>_<method>`), the experiment, and what never distinguishes two jobs'
results (which stages run, force, save_model, compare_with, threads). Values are made path-safe: `/` becomes
`-`, brackets, braces and quotes go, so a list-valued override cannot nest or break a directory name.
"""

from __future__ import annotations

import re
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig
from omegaconf import OmegaConf

RESOLVER = "lrx_job_dir"
# characters a directory name should not hold: path separators, brackets and quotes of list/dict values
_UNSAFE = re.compile(r"[\[\]{}()'\"\\]")
_SEPARATORS = re.compile(r"[/\s:]+")


def job_dir(name: str, override_dirname: str | None = None) -> str:
    """`name`, then `override_dirname` (Hydra's `k=v,k=v`, the keys that distinguish this sweep's jobs) made
    path-safe, joined by a comma; just `name` when there is nothing to add."""
    extra = _SEPARATORS.sub("-", _UNSAFE.sub("", override_dirname or "")).strip("-,")
    return f"{name},{extra}" if extra else name


def register_resolver() -> None:
    """Register `${lrx_job_dir:name,override_dirname}` (idempotent: `replace=True`)."""
    OmegaConf.register_new_resolver(RESOLVER, job_dir, replace=True)


def _task_overrides(config: DictConfig) -> list[Any]:
    """The sweep's command-line overrides, parsed (`seed=1,2` is a sweep override, `model=tiny` is not)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    task = OmegaConf.to_container(config.hydra.overrides.task, resolve=False)
    return OverridesParser.create().parse_overrides(list(task))  # type: ignore[arg-type]


def swept_keys(config: DictConfig, overrides: list[Any] | None = None) -> set[str]:
    """The keys a multirun sweeps: its sweep overrides (`seed=1,2`, `glob(...)`, ranges) and the keys of
    `hydra.sweeper.params` (an experiment's axes, an Optuna search space)."""
    overrides = _task_overrides(config) if overrides is None else overrides
    keys = {o.key_or_group for o in overrides if o.is_sweep_override()}
    params = OmegaConf.select(config, "hydra.sweeper.params", default=None)
    if params:
        keys |= {str(key) for key in params}
    return keys


def fixed_keys(config: DictConfig) -> list[str]:
    """The keys the sweep's command line overrides with one value for every job."""
    overrides = _task_overrides(config)
    return sorted({o.key_or_group for o in overrides} - swept_keys(config, overrides))


class SweptKeys(Callback):
    """At the start of a multirun, exclude the overrides that every job shares from the jobs' names."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        from omegaconf import open_dict
        from omegaconf import read_write

        fixed = fixed_keys(config)
        if not fixed:
            return
        exclude = list(OmegaConf.to_container(config.hydra.job.config.override_dirname.exclude_keys))
        keys = exclude + [key for key in fixed if key not in exclude]
        quoted = ",".join("'" + key.replace("'", "\\'") + "'" for key in keys)
        with read_write(config.hydra), open_dict(config.hydra):
            config.hydra.overrides.hydra.append(f"hydra.job.config.override_dirname.exclude_keys=[{quoted}]")
            config.hydra.job.config.override_dirname.exclude_keys = keys
