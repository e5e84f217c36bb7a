-- Ferry server schema, version 8: schedules.
--
-- schedule_runs: one row per run of a server-wide schedule (donation-export, donation-retention, export-retry,
-- stalled-sessions), written by Schedules/ScheduleRunListener when Quartz starts and ends a job: which process ran
-- it, the fire time it was for, and how it ended (running, succeeded, failed). Not a company's: schedules are the
-- system administrator's.
CREATE TABLE schedule_runs (
    id {id},
    schedule TEXT NOT NULL,
    fire_instance_id TEXT NOT NULL,
    instance TEXT NOT NULL,
    manual {bool} NOT NULL,
    scheduled_for {timestamp} NOT NULL,
    started_at {timestamp} NOT NULL,
    finished_at {timestamp} NULL,
    outcome TEXT NOT NULL,
    message TEXT NULL
);
CREATE INDEX ix_schedule_runs_schedule ON schedule_runs (schedule, id);

-- Quartz.NET's own tables follow in each provider's part (0008_schedules.sqlite.sql, 0008_schedules.postgresql.sql).
