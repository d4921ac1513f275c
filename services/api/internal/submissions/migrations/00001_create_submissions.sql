-- +goose Up
-- One row for each job on the stream, whether it came from the API or
-- from the nats CLI. A job is identified by the stream's creation time
-- (stream_epoch, in Unix nanoseconds) and its sequence number in the stream,
-- so a stream recreated from scratch cannot collide with older rows.
CREATE TABLE submissions (
    id              bigserial   PRIMARY KEY,
    number          bigint      NOT NULL CHECK (number >= 0),
    source          text        NOT NULL CHECK (source IN ('http', 'nats')),
    stream_epoch    bigint      NOT NULL,
    stream_seq      bigint      NOT NULL,
    idempotency_key text,
    submitted_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_epoch, stream_seq)
);

CREATE INDEX submissions_number_idx ON submissions (number);

-- +goose Down
DROP TABLE submissions;
