"""Millions of events of one course with generate_series, and the rollups rebuilt from them.

The event mix per 20 events: 8 progress reports (30-299 s each), 4 lesson views, 1 video seek
backwards, 3 heartbeats, 2 quiz attempts, 2 item completions; plus one enrollment per learner
and a completion of the course by one learner in ten. Times run evenly over 180 days, in order,
and event ids are UUIDv7 built from them, as the app writes them. The events are loaded in bulk:
the deduplicating unique index is rebuilt after the load and foreign keys are not checked row by
row (the learners are inserted just before); this shortens the load, not what is measured.

The rebuild follows ``analytics/rollups.py``'s definitions with GROUP BY queries, except for the
module completions, approximated by each module's least completed item (the bench does not
generate module events), and active learners, counted exactly per day and week.
"""

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

DAYS = 180
_UNIQUE = "uq_activity_event_user_id_client_event_id"

_LEARNER_ID = "md5('bench-learner-' || ({n}))::uuid"
_V7 = (
    "(lpad(to_hex((extract(epoch FROM {ts}) * 1000)::bigint), 12, '0') || '7' "
    "|| substr(md5({key}), 1, 3) || '8' || substr(md5({key}), 4, 15))::uuid"
)

_EVENTS = f"""
INSERT INTO activity_event
    (event_id, source, type, user_id, course_id, content_id, client_event_id, occurred_at,
     recorded_at, data)
SELECT {_V7.format(ts="ts", key="i::text")},
       CASE WHEN k BETWEEN 8 AND 15 THEN 'client' ELSE 'server' END,
       CASE WHEN k < 8 THEN 'progress.recorded' WHEN k < 12 THEN 'lesson_view'
            WHEN k = 12 THEN 'video_seek' WHEN k < 16 THEN 'heartbeat'
            WHEN k < 18 THEN 'quiz.submitted' ELSE 'item.completed' END,
       {_LEARNER_ID.format(n="i % :learners")},
       :course_id,
       CASE WHEN k IN (16, 17) THEN quizzes[1 + (i / 20) % cardinality(quizzes)]
            ELSE items[1 + (i * 7) % cardinality(items)] END,
       CASE WHEN k BETWEEN 8 AND 15 THEN md5(i::text || 'c')::uuid END,
       ts,
       ts,
       CASE WHEN k < 8 THEN jsonb_build_object('kind', 'update', 'seconds_added', 30 + i % 270)
            WHEN k = 12 THEN jsonb_build_object('from_seconds', 90, 'to_seconds', 10)
            WHEN k BETWEEN 13 AND 15 THEN jsonb_build_object('seconds', 30)
            WHEN k IN (16, 17) THEN jsonb_build_object(
                'score', ((i * 37) % 11) / 10.0,
                'responses', jsonb_build_array(
                    jsonb_build_object('question_id', 'q1', 'answered', true,
                                       'correct', i % 3 <> 0),
                    jsonb_build_object('question_id', 'q2', 'answered', i % 7 <> 0,
                                       'correct', i % 2 = 0)))
            ELSE '{{}}'::jsonb END
FROM (
    SELECT i, i % 20 AS k,
           now() - interval '{DAYS} days' + i * interval '{DAYS} days' / CAST(:span AS float8)
               AS ts
    FROM generate_series(1, :events) AS i
) AS g,
LATERAL (SELECT CAST(:items AS uuid[]) AS items, CAST(:quizzes AS uuid[]) AS quizzes) AS ids
"""

_LEARNERS = f"""
INSERT INTO users (user_id, email, display_name, is_active, created_at)
SELECT {_LEARNER_ID.format(n="n")}, 'bench-learner-' || n || '@example.org', 'Learner ' || n,
       true, now()
FROM generate_series(0, :learners - 1) AS n
"""

_MILESTONES = f"""
INSERT INTO activity_event (event_id, source, type, user_id, course_id, occurred_at, recorded_at,
                            data)
SELECT {_V7.format(ts="ts", key="type || n")}, 'server', type,
       {_LEARNER_ID.format(n="n")}, :course_id, ts, ts, '{{}}'::jsonb
FROM (
    SELECT n, 'course.enrolled' AS type,
           now() - interval '{DAYS} days'
               + n * interval '150 days' / CAST(:learner_span AS float8) AS ts
    FROM generate_series(0, :learners - 1) AS n
    UNION ALL
    SELECT n, 'course.completed', now() - (n % 30) * interval '1 day'
    FROM generate_series(0, :learners - 1, 10) AS n
) AS m
"""

_SECONDS = (
    "coalesce(sum((data->>'seconds_added')::int) FILTER (WHERE type = 'progress.recorded'), 0)"
)
_ACTIVE = "type IN ('progress.recorded', 'quiz.submitted')"

_REBUILDS = {
    "analytics_course_learner": f"""
INSERT INTO analytics_course_learner (course_id, user_id, enrolled_at, last_active_on, seconds,
    items_completed, quiz_attempts, quiz_score_sum, completed_at)
SELECT :course_id, user_id,
       min(occurred_at) FILTER (WHERE type = 'course.enrolled'),
       max((occurred_at AT TIME ZONE 'UTC')::date) FILTER (WHERE {_ACTIVE}),
       {_SECONDS},
       count(*) FILTER (WHERE type = 'item.completed'),
       count(*) FILTER (WHERE type = 'quiz.submitted'),
       coalesce(sum((data->>'score')::float) FILTER (WHERE type = 'quiz.submitted'), 0),
       min(occurred_at) FILTER (WHERE type = 'course.completed')
FROM activity_event WHERE course_id = :course_id AND user_id IS NOT NULL
GROUP BY user_id
""",
    "analytics_course_period": f"""
INSERT INTO analytics_course_period (course_id, period, starts_on, active_learners, enrollments,
    items_completed, course_completions, seconds)
SELECT :course_id, period, starts_on,
       count(DISTINCT user_id) FILTER (WHERE {_ACTIVE}),
       count(*) FILTER (WHERE type = 'course.enrolled'),
       count(*) FILTER (WHERE type = 'item.completed'),
       count(*) FILTER (WHERE type = 'course.completed'),
       {_SECONDS}
FROM (
    SELECT e.*, p.period,
           CASE p.period WHEN 'day' THEN (occurred_at AT TIME ZONE 'UTC')::date
                ELSE date_trunc('week', occurred_at AT TIME ZONE 'UTC')::date END AS starts_on
    FROM activity_event AS e CROSS JOIN (VALUES ('day'), ('week')) AS p (period)
    WHERE course_id = :course_id
) AS e
GROUP BY period, starts_on
""",
    "analytics_item_stat": f"""
INSERT INTO analytics_item_stat (content_id, course_id, learners_started, learners_completed,
    seconds, views, replays, quiz_attempts, quiz_score_sum)
SELECT content_id, :course_id,
       count(DISTINCT user_id) FILTER (WHERE source = 'server'),
       count(DISTINCT user_id) FILTER (WHERE type = 'item.completed'),
       {_SECONDS},
       count(*) FILTER (WHERE type = 'lesson_view'),
       count(*) FILTER (WHERE type = 'video_seek'
                        AND (data->>'to_seconds')::float < (data->>'from_seconds')::float),
       count(*) FILTER (WHERE type = 'quiz.submitted'),
       coalesce(sum((data->>'score')::float) FILTER (WHERE type = 'quiz.submitted'), 0)
FROM activity_event WHERE course_id = :course_id AND content_id IS NOT NULL
GROUP BY content_id
""",
    "analytics_module_stat": """
INSERT INTO analytics_module_stat (module_id, course_id, completions)
SELECT i.module_id, :course_id, min(s.learners_completed)
FROM analytics_item_stat AS s JOIN content_items AS i ON i.content_id = s.content_id
WHERE s.course_id = :course_id
GROUP BY i.module_id
""",
    "analytics_score_bucket": """
INSERT INTO analytics_score_bucket (content_id, bucket, attempts)
SELECT content_id, floor((data->>'score')::float * 10)::int, count(*)
FROM activity_event WHERE course_id = :course_id AND type = 'quiz.submitted'
GROUP BY 1, 2
""",
    "analytics_question_stat": """
INSERT INTO analytics_question_stat (content_id, question_id, responses, answered, correct)
SELECT content_id, r->>'question_id', count(*),
       count(*) FILTER (WHERE (r->>'answered')::boolean),
       count(*) FILTER (WHERE (r->>'correct')::boolean)
FROM activity_event, jsonb_array_elements(data->'responses') AS r
WHERE course_id = :course_id AND type = 'quiz.submitted'
GROUP BY 1, 2
""",
}


async def generate_events(
    connection: AsyncConnection, course_id: str, items: list[str], events: int, learners: int
) -> None:
    item_ids = [uuid.UUID(i) for i in items]
    quizzes = [item_ids[n] for n in range(len(item_ids)) if n % 8 % 4 == 3]
    course = uuid.UUID(course_id)
    await connection.execute(text(_LEARNERS), {"learners": learners})
    # A bulk load: the deduplicating index is built once afterwards rather than row by row, and
    # the foreign key is not checked per row (every learner was just inserted above).
    await connection.execute(text(f"ALTER TABLE activity_event DROP CONSTRAINT {_UNIQUE}"))
    await connection.execute(text("ALTER TABLE activity_event DISABLE TRIGGER ALL"))
    await connection.execute(
        text(_EVENTS),
        {
            "course_id": course,
            "items": item_ids,
            "quizzes": quizzes,
            "events": events,
            "span": float(events),
            "learners": learners,
        },
    )
    await connection.execute(
        text(_MILESTONES),
        {"course_id": course, "learners": learners, "learner_span": float(learners)},
    )
    await connection.execute(text("ALTER TABLE activity_event ENABLE TRIGGER ALL"))
    await connection.execute(
        text(
            f"ALTER TABLE activity_event ADD CONSTRAINT {_UNIQUE} UNIQUE (user_id, client_event_id)"
        )
    )


async def rebuild_rollups(connection: AsyncConnection, course_id: str) -> dict[str, int]:
    rows = {}
    for table in _REBUILDS:  # what the ingestion bench counted goes: the events are gone
        await connection.execute(text(f"DELETE FROM {table}"))
    for table, statement in _REBUILDS.items():
        result = await connection.execute(text(statement), {"course_id": uuid.UUID(course_id)})
        rows[table] = result.rowcount
    return rows
