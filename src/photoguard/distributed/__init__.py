"""Scale past one machine: the batch engine on Ray Data (``pip install 'photoguard[ray]'``).

The same plan, the same :class:`~photoguard.batch.Operation` and the same records as the local
engine (:mod:`photoguard.batch`), run by a pool of Ray actors on this machine or on a cluster:
one actor per CPU (one torch thread each) or per GPU, each loading its models once.

Example (a private local cluster of 2 CPUs)::

    from photoguard.batch import ProtectOperation, plan, write_report
    from photoguard.distributed import run_ray
    op = ProtectOperation(strength="fast")
    jobs = plan(["shoot/"], op, out="delivered/", skip_existing=True)
    outcome = run_ray(jobs, op, num_cpus=2)          # address="head:6379" joins a cluster
    write_report("delivered/report.parquet", outcome.records)

On a cluster every node must see the inputs and the output folder at the same path (a shared
filesystem), or they are URIs every node can reach (``s3://bucket/shoot``, ``gs://…``: see
:mod:`photoguard.batch.storage`); see the README's "Many machines" section.
"""

from photoguard.distributed.cluster import INSTALL_HINT, Cluster, connect
from photoguard.distributed.engine import actor_plan, run_ray

__all__ = ["INSTALL_HINT", "Cluster", "actor_plan", "connect", "run_ray"]
