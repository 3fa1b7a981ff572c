-- ficus:up
LOCK TABLE users; -- expect
LOCK users IN SHARE MODE; -- expect
