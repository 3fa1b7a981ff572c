-- ficus:up
ALTER TABLE users RENAME TO accouçnts; -- expect
