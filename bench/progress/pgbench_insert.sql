-- pgbench's side of the progress bench: one insert-only transaction, a row the size and shape
-- of a progress report (two UUIDs, a counter, a timestamp, a small JSON document), into a table
-- with a UUID primary key and one secondary index, as the app's user_progress has.
\set seconds random(1, 60)
INSERT INTO bench_progress_insert (user_id, content_id, time_spent_seconds, payload)
VALUES (gen_random_uuid(), gen_random_uuid(), :seconds,
        '{"kind": "update", "status": "in_progress", "completion_percentage": 0}');
