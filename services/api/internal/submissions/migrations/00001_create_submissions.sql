-- +goose Up
-- One row for each job on the stream, whether it came from the API or
-- from the nats CLI. message_key identifies the job's message: its
-- Nats-Msg-Id and stream sequence when it has an ID, else its stream
-- sequence and server timestamp (see job.MessageKey in the shared module).
CREATE TABLE submissions (
    id              bigserial   PRIMARY KEY,
    number          bigint      NOT NULL CHECK (number >= 0),
    source          text        NOT NULL CHECK (source IN ('http', 'nats')),
    message_key     text        NOT NULL UNIQUE,
    stream_seq      bigint      NOT NULL,
    idempotency_key text,
    submitted_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX submissions_number_idx ON submissions (number);

-- +goose Down
DROP TABLE submissions;
