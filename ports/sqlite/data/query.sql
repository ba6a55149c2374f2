create table t (x integer, y real, s text);
with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000)
  insert into t select i, i / 7.0, hex(i * i) from n;
select count(*), sum(x), round(avg(y), 6), max(s) from t;
select x, s from t where x % 250 = 0 order by x;
select group_concat(x, '-') from (select x from t order by x desc limit 5);
select substr('capability', 4, 3), upper('ring'), length(zeroblob(100)), typeof(1.5);
select datetime(0, 'unixepoch'), date('2026-12-02', '+1 month');
