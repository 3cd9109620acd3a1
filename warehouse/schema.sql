-- Vigie's one schema. Applied idempotently by warehouse.db.ensure_schema().
--
-- Layout: raw facts (what a source said, as collected) live apart from derived
-- facts (what we compute from them: brands, language, sentiment, terms, stories).
-- Derived tables can be dropped and recomputed by `python -m warehouse rebuild`
-- without collecting again. Every timestamp is TIMESTAMPTZ and stored in UTC.
-- The relations `mentions`, `mention_brands` and `crawl_log` are read by other
-- tools: their names and columns are a contract.


-- One row per distinct item a source published (feed entry, forum post).
-- id = hash(source, dedup key); the dedup key comes from the ladder in
-- warehouse/identity.py (guid, else canonical link, else link+date, else title).
CREATE TABLE IF NOT EXISTS raw_mentions (
    id                VARCHAR PRIMARY KEY,
    source            VARCHAR NOT NULL,
    source_kind       VARCHAR NOT NULL,
    url               VARCHAR,
    canonical_url     VARCHAR,
    title             VARCHAR,
    body              VARCHAR,
    author            VARCHAR,
    published_at      TIMESTAMPTZ,
    -- true when the source gave no usable date and published_at is the first-seen time
    date_estimated    BOOLEAN NOT NULL DEFAULT false,
    collected_at      TIMESTAMPTZ NOT NULL,
    -- set when a later collection saw the same item with different content
    updated_at        TIMESTAMPTZ,
    content_hash      VARCHAR,
    -- likes, replies, score... where the source exposes one
    engagement        INTEGER,
    -- the feed's or page's declared language (a hint for detection)
    language_hint     VARCHAR,
    -- forum topic or thread the post belongs to, for grouping
    thread            VARCHAR
);

-- Derived, one row per mention. Recomputed by rebuild.
CREATE TABLE IF NOT EXISTS mention_facts (
    mention_id        VARCHAR PRIMARY KEY,
    language          VARCHAR,
    sentiment         VARCHAR,   -- negative | neutral | positive
    sentiment_score   DOUBLE,    -- -1..1
    story_id          VARCHAR,   -- near-duplicate group (wire copies share one)
    is_question       BOOLEAN,
    computed_at       TIMESTAMPTZ
);

-- Derived: which watched brands a mention names (contract: mention_id, brand).
CREATE TABLE IF NOT EXISTS mention_brands (
    mention_id        VARCHAR NOT NULL,
    brand             VARCHAR NOT NULL
);

-- Derived: lemmas and bigrams per mention, brand names excluded.
CREATE TABLE IF NOT EXISTS mention_terms (
    mention_id        VARCHAR NOT NULL,
    term              VARCHAR NOT NULL
);

-- Derived: questions people ask, for content ideas.
CREATE TABLE IF NOT EXISTS mention_questions (
    mention_id        VARCHAR NOT NULL,
    question          VARCHAR NOT NULL
);

-- Every fetch of every source (contract: run_id, source, started_at,
-- finished_at, status, new_items, error; status is ok | not_modified | error).
CREATE TABLE IF NOT EXISTS crawl_log (
    run_id            BIGINT NOT NULL,
    source            VARCHAR NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    status            VARCHAR NOT NULL,
    new_items         INTEGER NOT NULL DEFAULT 0,
    error             VARCHAR,
    updated_items     INTEGER NOT NULL DEFAULT 0,
    seen_items        INTEGER NOT NULL DEFAULT 0,
    http_status       INTEGER,
    bytes             BIGINT,
    warnings          VARCHAR
);

-- Per-source memory between runs: validators for conditional GET, failure
-- streak, adaptive polling schedule.
CREATE TABLE IF NOT EXISTS source_state (
    source            VARCHAR PRIMARY KEY,
    etag              VARCHAR,
    last_modified     VARCHAR,
    last_attempt_at   TIMESTAMPTZ,
    last_success_at   TIMESTAMPTZ,
    last_new_item_at  TIMESTAMPTZ,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    failing_since     TIMESTAMPTZ,
    last_error        VARCHAR,
    poll_interval_s   INTEGER,
    next_poll_at      TIMESTAMPTZ,
    -- forum sources: newest post id seen per thread, to stop incremental crawls
    cursor            VARCHAR
);

-- Alerts: spikes, crisis mentions, failing or silent sources.
CREATE TABLE IF NOT EXISTS alerts (
    id                VARCHAR PRIMARY KEY,
    rule              VARCHAR NOT NULL,   -- volume_spike | negative_spike | mention | source_failing | source_silent
    brand             VARCHAR,
    source            VARCHAR,
    kind              VARCHAR NOT NULL,
    severity          VARCHAR NOT NULL,   -- info | warning | critical
    window_start      TIMESTAMPTZ,
    window_end        TIMESTAMPTZ,
    observed          DOUBLE,
    expected          DOUBLE,
    explanation       VARCHAR,            -- one line, in English; the UI translates the parts
    details           JSON,               -- top terms, sources, mention ids behind it
    created_at        TIMESTAMPTZ NOT NULL,
    status            VARCHAR NOT NULL DEFAULT 'open',   -- open | acknowledged | resolved
    acknowledged_at   TIMESTAMPTZ,
    acknowledged_by   VARCHAR
);
-- Alerting (warehouse/alerting.py): 'cooldown' when the alert was recorded
-- but not sent because the same rule had fired for that brand recently.
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS suppressed VARCHAR;

-- Messages to deliver (email, webhooks). Stored before sending so a restart
-- or a down server loses nothing; dedup_key makes "send once" hold.
CREATE TABLE IF NOT EXISTS outbox (
    id                VARCHAR PRIMARY KEY,
    dedup_key         VARCHAR UNIQUE,
    channel           VARCHAR NOT NULL,   -- email | webhook
    target            VARCHAR NOT NULL,
    subject           VARCHAR,
    payload           JSON NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMPTZ,
    sent_at           TIMESTAMPTZ,
    last_error        VARCHAR
);
-- Delivery (warehouse/delivery.py): set instead of sent_at when nothing is
-- left to send (every alert of the message was acknowledged meanwhile) or
-- the target was removed from the configuration.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS cancelled_at TIMESTAMPTZ;

-- The triage queue: what the community manager decided about a mention.
CREATE TABLE IF NOT EXISTS mention_status (
    mention_id        VARCHAR PRIMARY KEY,
    status            VARCHAR NOT NULL,   -- to_handle | handled | ignored
    updated_at        TIMESTAMPTZ NOT NULL,
    note              VARCHAR
);

-- When the user last marked the daily review as done ("since last review").
CREATE TABLE IF NOT EXISTS reviews (
    reviewed_at       TIMESTAMPTZ NOT NULL
);

-- Key/value facts about derived data (model version, config fingerprint).
CREATE TABLE IF NOT EXISTS meta (
    key               VARCHAR PRIMARY KEY,
    value             VARCHAR
);

-- The contract view other tools query.
CREATE OR REPLACE VIEW mentions AS
SELECT r.id, r.source, r.source_kind, r.url, r.title, r.body, r.author,
       r.published_at, r.collected_at, f.language,
       f.sentiment, f.sentiment_score, f.story_id, r.engagement, r.date_estimated
FROM raw_mentions r
LEFT JOIN mention_facts f ON f.mention_id = r.id;

-- Serving copies for the dashboard's reads (warehouse/serving.py). Derived:
-- one row per mention_brands row (and per distinct mention x brand x term)
-- with the mention's date and filter columns copied in, written in date order
-- so a date window reads only its own row groups instead of joining every
-- derived row on ids. Read only when meta 'serving_version' is current;
-- rewritten by enrichment and rebuild.
CREATE TABLE IF NOT EXISTS serving_brand_mentions (
    mention_id        VARCHAR NOT NULL,
    brand             VARCHAR NOT NULL,
    published_at      TIMESTAMPTZ,
    source            VARCHAR,
    source_kind       VARCHAR,
    language          VARCHAR,
    sentiment         VARCHAR,
    sentiment_score   DOUBLE,
    story_key         VARCHAR,   -- coalesce(story_id, mention_id): the unit of "stories"
    engagement        INTEGER,
    date_estimated    BOOLEAN,
    first_brand       BOOLEAN    -- true on one row per mention: mention counts without DISTINCT
);
CREATE TABLE IF NOT EXISTS serving_brand_terms (
    mention_id        VARCHAR NOT NULL,
    brand             VARCHAR NOT NULL,
    term              VARCHAR NOT NULL,
    published_at      TIMESTAMPTZ,
    source            VARCHAR,
    engagement        INTEGER,
    copies            INTEGER,   -- joined rows this distinct (mention, brand, term) stands for
    first_brand       BOOLEAN    -- true on one row per (mention, term)
);
-- Added with serving_version 2 (files built by version 1 get them here, then a rebuild).
ALTER TABLE serving_brand_mentions ADD COLUMN IF NOT EXISTS first_brand BOOLEAN;
ALTER TABLE serving_brand_terms ADD COLUMN IF NOT EXISTS copies INTEGER;
ALTER TABLE serving_brand_terms ADD COLUMN IF NOT EXISTS first_brand BOOLEAN;
