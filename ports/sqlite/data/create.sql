create table caps (id integer primary key, name text not null, kind text, calls integer);
begin;
insert into caps (name, kind, calls) values ('console', 'kernel', 120), ('timer', 'kernel', 40),
  ('pipe', 'kernel', 77), ('proc', 'service', 3), ('files', 'kernel', 310);
commit;
create index caps_kind on caps(kind);
update caps set calls = calls + 1 where kind = 'kernel';
delete from caps where name = 'timer';
select kind, count(*), sum(calls), avg(calls) from caps group by kind order by kind;
.headers on
.mode column
select * from caps order by calls desc;
.tables
.schema caps
pragma integrity_check;
