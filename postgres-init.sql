-- Run once by the postgres image on an empty data volume (compose.yaml): the database of the install flow's token
-- store (B24BI_TOKEN_STORE), apart from the data the connector serves, so the token tables are never listed.
-- The connector creates its tables there at start.
CREATE DATABASE b24bi_tokens;
