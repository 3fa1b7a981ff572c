-- ficus:up
CLUSTER users USING users_pkey; -- expect
