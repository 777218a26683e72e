"""A Neo4j command's start does not pay for libraries it never uses (issue 16).

The neo4j driver imports pandas and pyarrow when they are installed (splink installs them) only to accept their
values as query parameters; dhrgraph never sends any. ``graph.lazy.without_modules`` hides them while the driver is
imported. Each check runs in a fresh interpreter: this one has imported them long ago.
"""

from __future__ import annotations

import subprocess
import sys

from helpers import ROOT


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_the_neo4j_store_imports_no_pandas_and_pandas_still_imports_after():
    done = _python("import sys; import dhrgraph.graph.neo4j_store\n"
                   "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))\n"
                   "import pandas, pyarrow; print(pandas.DataFrame({'a': [1]}).shape)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["[]", "(1, 1)"]


def test_hidden_only_inside_the_block_and_only_when_not_imported_before():
    done = _python("import sys, json\n"
                   "from dhrgraph.graph.lazy import without_modules\n"
                   "with without_modules('pandas', 'json'):\n"
                   "    import json as again\n"
                   "    try:\n"
                   "        import pandas\n"
                   "        print('imported')\n"
                   "    except ImportError:\n"
                   "        print('hidden')\n"
                   "print(again is json, 'pandas' in sys.modules)\n"
                   "import pandas; print(pandas.__name__)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["hidden", "True False", "pandas"]
