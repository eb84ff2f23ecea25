"""On the embedded default (SQLite), two people saving at the same moment: the second waits
for the first instead of failing with "database is locked" (a 500). A transaction that starts
as a reader and then writes cannot wait for another writer; the project's settings start
SQLite transactions as writers (BEGIN IMMEDIATE)."""

import threading
import time

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper


def _wrapper(path: str) -> DatabaseWrapper:
    """A connection to `path` with the project's SQLite options (timeout, transaction mode)."""
    settings = {**connection.settings_dict, "NAME": path, "TEST": {}}
    return DatabaseWrapper(settings, alias=f"writers-{time.time()}")


@pytest.mark.django_db
def test_two_simultaneous_read_then_write_transactions_both_succeed(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's row locks make writers wait (select_for_update)")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    path = str(tmp_path / "writers.sqlite3")
    setup = _wrapper(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE activity (id INTEGER PRIMARY KEY, title TEXT, version INTEGER)")
        cursor.execute("INSERT INTO activity VALUES (1, 'Mesterklasse', 1)")
    setup.close()

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(title: str) -> None:
        db = _wrapper(path)
        try:
            db.ensure_connection()
            barrier.wait()
            db._start_transaction_under_autocommit()  # how transaction.atomic() begins on SQLite
            with db.cursor() as cursor:
                cursor.execute("SELECT version FROM activity WHERE id = 1")  # the service reads, then writes
                (version,) = cursor.fetchone()
                time.sleep(0.3)
                cursor.execute("UPDATE activity SET title = %s, version = %s WHERE id = 1", [title, version + 1])
                cursor.execute("COMMIT")
            outcomes.append("saved")
        except Exception as error:  # noqa: BLE001 - the outcome is what the test compares
            outcomes.append(f"{type(error).__name__}: {error}")
        finally:
            db.close()

    threads = [threading.Thread(target=save, args=(title,)) for title in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == ["saved", "saved"]
    check = _wrapper(path)
    with check.cursor() as cursor:
        cursor.execute("SELECT version FROM activity WHERE id = 1")
        assert cursor.fetchone() == (3,)  # the second read the first's version: serialized
    check.close()
