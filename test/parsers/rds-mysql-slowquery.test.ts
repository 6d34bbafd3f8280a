import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSlowQuery } from '../../parsers/rds-mysql-slowquery';
import type { Fields, ParseContext, ParseResult } from '../../parsers/types';

const INSTANCE: ParseContext = { logGroup: '/aws/rds/instance/db-1/slowquery', logStream: 'db-1', timestamp: 0 };
const CLUSTER: ParseContext = {
  logGroup: '/aws/rds/cluster/orders-cluster/slowquery',
  logStream: 'orders-cluster-instance-2',
  timestamp: 0,
};
const ON_INSTANCE = { aws: { rds: { db_instance: 'db-1' } } };

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/rds-mysql-slowquery/${name}`, import.meta.url), 'utf8');

interface Case {
  readonly name: string;
  readonly message: string;
  readonly context?: ParseContext;
  /** Every field expected, except fingerprint/fingerprint_id (pinned in FINGERPRINTS). */
  readonly fields: Fields;
  readonly timestamp?: string;
  readonly tags?: readonly string[];
}

const ok = (result: ParseResult): Extract<ParseResult, { ok: true }> => {
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`);
  return result;
};

/** The fields without the two fingerprint values, which are asserted on their own. */
function withoutFingerprint(fields: Fields): Fields {
  const mysql = fields['mysql'] as { slowlog?: Record<string, unknown> } | undefined;
  if (!mysql?.slowlog) return fields;
  const { fingerprint: _f, fingerprint_id: _i, ...slowlog } = mysql.slowlog;
  return { ...fields, mysql: { ...mysql, slowlog } };
}

const CASES: readonly Case[] = [
  {
    name: 'RDS MySQL 5.6: YYMMDD time with a space-padded hour, empty host, use, SET timestamp',
    message:
      '# Time: 240305  7:01:02\n# User@Host: admin[admin] @  [172.31.74.90]  Id:   274\n# Query_time: 0.000193  Lock_time: 0.000093 Rows_sent: 1  Rows_examined: 1\nuse db;\nSET timestamp=1709622062;\nselect * from colors where id = 1;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'admin' },
      source: { ip: '172.31.74.90' },
      mysql: {
        thread_id: 274,
        slowlog: {
          login_user: 'admin',
          query_time_sec: 0.000193,
          lock_time_sec: 0.000093,
          rows_sent: 1,
          rows_examined: 1,
          database: 'db',
          query: 'select * from colors where id = 1;',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2024-03-05T07:01:02.000Z',
  },
  {
    name: 'RDS MySQL 5.6: second entry of the same second (no # Time:, no use)',
    message:
      '# User@Host: admin[admin] @  [172.31.74.90]  Id:   274\n# Query_time: 0.000200  Lock_time: 0.000105 Rows_sent: 1  Rows_examined: 1\nSET timestamp=1611338681;\nselect * from colors where id = 2;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'admin' },
      source: { ip: '172.31.74.90' },
      mysql: {
        thread_id: 274,
        slowlog: {
          login_user: 'admin',
          query_time_sec: 0.0002,
          lock_time_sec: 0.000105,
          rows_sent: 1,
          rows_examined: 1,
          query: 'select * from colors where id = 2;',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2021-01-22T18:04:41.000Z',
  },
  {
    name: 'YYMMDD time with a two-digit hour and no SET line (old server): time from # Time:',
    message:
      '# Time: 131128 17:05:31\n# User@Host: root[root] @ localhost []\n# Query_time: 2  Lock_time: 0  Rows_sent: 1  Rows_examined: 0\nselect sleep(2) from n;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'root' },
      source: { domain: 'localhost' },
      mysql: {
        slowlog: {
          login_user: 'root',
          query_time_sec: 2,
          lock_time_sec: 0,
          rows_sent: 1,
          rows_examined: 0,
          query: 'select sleep(2) from n;',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2013-11-28T17:05:31.000Z',
  },
  {
    name: 'Aurora MySQL 2 (5.7): ISO time with Z, rdsadmin on localhost, cluster log group',
    context: CLUSTER,
    message:
      '# Time: 2021-08-10T11:28:20.581705Z\n# User@Host: rdsadmin[rdsadmin] @ localhost [127.0.0.1]  Id:     3\n# Query_time: 0.000216  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1628594900;\nCOMMIT;',
    fields: {
      aws: { rds: { db_instance: 'orders-cluster-instance-2', db_cluster: 'orders-cluster' } },
      user: { name: 'rdsadmin' },
      source: { ip: '127.0.0.1', domain: 'localhost' },
      mysql: {
        thread_id: 3,
        slowlog: {
          login_user: 'rdsadmin',
          query_time_sec: 0.000216,
          lock_time_sec: 0,
          rows_sent: 0,
          rows_examined: 0,
          query: 'COMMIT;',
          statement_type: 'COMMIT',
        },
      },
    },
    timestamp: '2021-08-10T11:28:20.000Z',
  },
  {
    name: 'ISO time with a +08:00 offset and no SET line: converted to UTC',
    message:
      '# Time: 2018-08-07T16:27:47.169604+08:00\n# User@Host: appuser[appuser] @ apphost [1.1.1.1]  Id: 10997316\n# Query_time: 4.071491  Lock_time: 0.000212 Rows_sent: 1000  Rows_examined: 1489615\ncall load_stats(1, \'2017-04-28 00:00:00\');',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'appuser' },
      source: { ip: '1.1.1.1', domain: 'apphost' },
      mysql: {
        thread_id: 10997316,
        slowlog: {
          login_user: 'appuser',
          query_time_sec: 4.071491,
          lock_time_sec: 0.000212,
          rows_sent: 1000,
          rows_examined: 1489615,
          query: "call load_stats(1, '2017-04-28 00:00:00');",
          statement_type: 'CALL',
        },
      },
    },
    timestamp: '2018-08-07T08:27:47.169Z',
  },
  {
    name: 'no # Time: and no SET line: no event time (the pipeline uses the CloudWatch time)',
    message: '# User@Host: root[root] @ localhost []\n# Query_time: 1.5  Lock_time: 0.1  Rows_sent: 0  Rows_examined: 9\nDELETE FROM t;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'root' },
      source: { domain: 'localhost' },
      mysql: {
        slowlog: {
          login_user: 'root',
          query_time_sec: 1.5,
          lock_time_sec: 0.1,
          rows_sent: 0,
          rows_examined: 9,
          query: 'DELETE FROM t;',
          statement_type: 'DELETE',
        },
      },
    },
  },
  {
    name: 'MySQL 8.0 / Aurora 3 log_slow_extra with Count_hit_tmp_table_size and Start/End (two spaces before Start)',
    message: fixture('mysql80-log-slow-extra.log'),
    fields: {
      ...ON_INSTANCE,
      user: { name: 'app' },
      source: { ip: '10.0.3.25' },
      mysql: {
        thread_id: 91234,
        slowlog: {
          login_user: 'app',
          query_time_sec: 3.200145,
          lock_time_sec: 0.00021,
          rows_sent: 20,
          rows_examined: 480000,
          errno: 0,
          killed: 0,
          bytes_received: 143,
          bytes_sent: 2710,
          read_first: 1,
          read_last: 0,
          read_key: 2,
          read_next: 479998,
          read_prev: 0,
          read_rnd: 20,
          read_rnd_next: 21,
          sort_merge_passes: 3,
          sort_range_count: 0,
          sort_rows: 20,
          sort_scan_count: 1,
          created_tmp_disk_tables: 1,
          created_tmp_tables: 2,
          count_hit_tmp_table_size: 1,
          start_time: '2024-05-01T10:00:00.312200Z',
          end_time: '2024-05-01T10:00:03.512345Z',
          database: 'shop',
          query:
            "SELECT customer_id, SUM(total) AS spent FROM orders WHERE created_at >= '2024-01-01' GROUP BY customer_id ORDER BY spent DESC LIMIT 20;",
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2024-05-01T10:00:00.000Z',
  },
  {
    name: 'MySQL 8.0.15 log_slow_extra without Count_hit_tmp_table_size (one space before Start), Thread_id beside Id:',
    message:
      '# Time: 2019-03-24T14:04:53.713951Z\n# User@Host: root[root] @ localhost []  Id:    16\n# Query_time: 2.631844  Lock_time: 0.000145 Rows_sent: 10  Rows_examined: 3145718 Thread_id: 16 Errno: 1317 Killed: 1 Bytes_received: 0 Bytes_sent: 312 Read_first: 1 Read_last: 0 Read_key: 3144072 Read_next: 2844047 Read_prev: 0 Read_rnd: 10 Read_rnd_next: 301663 Sort_merge_passes: 0 Sort_range_count: 0 Sort_rows: 10 Sort_scan_count: 1 Created_tmp_disk_tables: 0 Created_tmp_tables: 1 Start: 2019-03-24T14:04:51.082107Z End: 2019-03-24T14:04:53.713951Z\nSET timestamp=1553436291;\nSELECT 1;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'root' },
      source: { domain: 'localhost' },
      mysql: {
        thread_id: 16,
        slowlog: {
          login_user: 'root',
          query_time_sec: 2.631844,
          lock_time_sec: 0.000145,
          rows_sent: 10,
          rows_examined: 3145718,
          errno: 1317,
          killed: 1,
          bytes_received: 0,
          bytes_sent: 312,
          read_first: 1,
          read_last: 0,
          read_key: 3144072,
          read_next: 2844047,
          read_prev: 0,
          read_rnd: 10,
          read_rnd_next: 301663,
          sort_merge_passes: 0,
          sort_range_count: 0,
          sort_rows: 10,
          sort_scan_count: 1,
          created_tmp_disk_tables: 0,
          created_tmp_tables: 1,
          start_time: '2019-03-24T14:04:51.082107Z',
          end_time: '2019-03-24T14:04:53.713951Z',
          query: 'SELECT 1;',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2019-03-24T14:04:51.000Z',
  },
  {
    name: 'MariaDB with query_plan verbosity: Thread_id/Schema/QC_hit, Rows_affected+Bytes_sent, Tmp_tables, Stored_routine, flags, explain lines',
    message: fixture('mariadb-query-plan.log'),
    fields: {
      ...ON_INSTANCE,
      user: { name: 'report' },
      source: { ip: '10.20.0.14' },
      mysql: {
        thread_id: 8812,
        slowlog: {
          login_user: 'report',
          query_cache_hit: false,
          query_time_sec: 12.004512,
          lock_time_sec: 0.000131,
          rows_sent: 3,
          rows_examined: 1048576,
          rows_affected: 0,
          bytes_sent: 412,
          tmp_tables: 2,
          tmp_disk_tables: 1,
          tmp_table_sizes: 16777216,
          stored_routine: 'sales.monthly_report',
          full_scan: true,
          full_join: false,
          tmp_table: true,
          tmp_table_on_disk: true,
          filesort: true,
          filesort_on_disk: true,
          merge_passes: 4,
          priority_queue: false,
          database: 'sales',
          query:
            'SELECT region, COUNT(*) FROM invoices WHERE issued_on < NOW() - INTERVAL 30 DAY GROUP BY region ORDER BY 2 DESC;',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2024-03-05T07:01:02.000Z',
  },
  {
    name: 'RDS MariaDB: User@Host without Id:, Schema read as the database when there is no use line',
    message:
      '# Time: 230914 13:08:38\n# User@Host: myuser[myuser] @  [10.0.10.72]\n# Thread_id: 12345  Schema: my_db  QC_hit: Yes\n# Query_time: 5.001142  Lock_time: 0.000000  Rows_sent: 1  Rows_examined: 0\n# Rows_affected: 0  Bytes_sent: 56\nSET timestamp=1694696918;\nselect sleep(5);',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'myuser' },
      source: { ip: '10.0.10.72' },
      mysql: {
        thread_id: 12345,
        slowlog: {
          login_user: 'myuser',
          query_cache_hit: true,
          query_time_sec: 5.001142,
          lock_time_sec: 0,
          rows_sent: 1,
          rows_examined: 0,
          rows_affected: 0,
          bytes_sent: 56,
          database: 'my_db',
          query: 'select sleep(5);',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2023-09-14T13:08:38.000Z',
  },
  {
    name: 'MariaDB 10.1: empty Schema (three spaces) gives no database; 10.2 Rows_affected alone',
    message:
      '# Time: 181004 10:53:53\n# User@Host: root[root] @  [192.168.0.10]\n# Thread_id: 25844  Schema:   QC_hit: No\n# Query_time: 178.306017  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 53022772\n# Rows_affected: 3062\nSET timestamp=1538650433;\ncall PROC(\'blah\');',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'root' },
      source: { ip: '192.168.0.10' },
      mysql: {
        thread_id: 25844,
        slowlog: {
          login_user: 'root',
          query_cache_hit: false,
          query_time_sec: 178.306017,
          lock_time_sec: 0,
          rows_sent: 0,
          rows_examined: 53022772,
          rows_affected: 3062,
          query: "call PROC('blah');",
          statement_type: 'CALL',
        },
      },
    },
    timestamp: '2018-10-04T10:53:53.000Z',
  },
  {
    name: 'Percona: # Schema/Last_errno/Killed line, QC_Hit, indented InnoDB lines and unknown keys ignored',
    message:
      '# Time: 2019-03-24T16:26:04.482151Z\n# User@Host: root[root] @ localhost []  Id:     8\n# Schema: employees  Last_errno: 0  Killed: 0\n# Query_time: 3.133066  Lock_time: 0.000190  Rows_sent: 10  Rows_examined: 3145718  Rows_affected: 0\n# Bytes_sent: 312  Tmp_tables: 1  Tmp_disk_tables: 0  Tmp_table_sizes: 0\n# InnoDB_trx_id: 1A88583F\n# QC_Hit: No  Full_scan: Yes  Full_join: No  Tmp_table: Yes  Tmp_table_on_disk: No\n# Filesort: Yes  Filesort_on_disk: No  Merge_passes: 0\n#   InnoDB_IO_r_ops: 5491  InnoDB_IO_r_bytes: 89964544  InnoDB_IO_r_wait: 0.003183\n# No InnoDB statistics available for this query\n# Log_slow_rate_type: query  Log_slow_rate_limit: 100\nSET timestamp=1553444761;\nSELECT last_name FROM employees LIMIT 10;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'root' },
      source: { domain: 'localhost' },
      mysql: {
        thread_id: 8,
        slowlog: {
          login_user: 'root',
          database: 'employees',
          killed: 0,
          query_time_sec: 3.133066,
          lock_time_sec: 0.00019,
          rows_sent: 10,
          rows_examined: 3145718,
          rows_affected: 0,
          bytes_sent: 312,
          tmp_tables: 1,
          tmp_disk_tables: 0,
          tmp_table_sizes: 0,
          query_cache_hit: false,
          full_scan: true,
          full_join: false,
          tmp_table: true,
          tmp_table_on_disk: false,
          filesort: true,
          filesort_on_disk: false,
          merge_passes: 0,
          query: 'SELECT last_name FROM employees LIMIT 10;',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2019-03-24T16:26:01.000Z',
  },
  {
    name: 'replication thread: empty privilege user, empty host and IP ([SQL_SLAVE] @  [])',
    message:
      '# User@Host: [SQL_SLAVE] @  []  Id:     5\n# Query_time: 0.726052  Lock_time: 0.000091  Rows_sent: 0  Rows_examined: 62951\nSET insert_id=34484549,timestamp=1197996507;\nINSERT INTO db1.conch (word3, vid83) VALUES (\'211\', \'18\');',
    fields: {
      ...ON_INSTANCE,
      mysql: {
        thread_id: 5,
        slowlog: {
          login_user: 'SQL_SLAVE',
          query_time_sec: 0.726052,
          lock_time_sec: 0.000091,
          rows_sent: 0,
          rows_examined: 62951,
          insert_id: 34484549,
          query: "INSERT INTO db1.conch (word3, vid83) VALUES ('211', '18');",
          statement_type: 'INSERT',
        },
      },
    },
    timestamp: '2007-12-18T16:48:27.000Z',
  },
  {
    name: 'privilege user differs from login user; SET last_insert_id and insert_id',
    message:
      '# Time: 2024-05-01T10:00:00.100000Z\n# User@Host: app_rw[jane] @ web-1.internal [10.0.0.9]  Id:  77\n# Query_time: 1.000001  Lock_time: 0.000002 Rows_sent: 0  Rows_examined: 0\nSET last_insert_id=41,insert_id=42,timestamp=1714557600;\nINSERT INTO t (a) VALUES (1);',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'app_rw' },
      source: { ip: '10.0.0.9', domain: 'web-1.internal' },
      mysql: {
        thread_id: 77,
        slowlog: {
          login_user: 'jane',
          query_time_sec: 1.000001,
          lock_time_sec: 0.000002,
          rows_sent: 0,
          rows_examined: 0,
          last_insert_id: 41,
          insert_id: 42,
          query: 'INSERT INTO t (a) VALUES (1);',
          statement_type: 'INSERT',
        },
      },
    },
    timestamp: '2024-05-01T10:00:00.000Z',
  },
  {
    name: 'IPv6 client address',
    message:
      '# User@Host: app[app] @  [2001:db8:85a3::8a2e:370:7334]  Id:    12\n# Query_time: 2.000000  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 1\nSET timestamp=1714557600;\nSELECT 1;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'app' },
      source: { ip: '2001:db8:85a3::8a2e:370:7334' },
      mysql: {
        thread_id: 12,
        slowlog: {
          login_user: 'app',
          query_time_sec: 2,
          lock_time_sec: 0,
          rows_sent: 1,
          rows_examined: 1,
          query: 'SELECT 1;',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2024-05-01T10:00:00.000Z',
  },
  {
    name: 'statement with # lines, ; inside strings, Korean text, trailing newlines trimmed, final ; kept',
    message: fixture('statement-with-hash-lines.log'),
    fields: {
      ...ON_INSTANCE,
      user: { name: 'etl' },
      source: { ip: '10.9.8.7', domain: 'worker-3.internal' },
      mysql: {
        thread_id: 4410,
        slowlog: {
          login_user: 'etl',
          query_time_sec: 0.912,
          lock_time_sec: 0.00005,
          rows_sent: 0,
          rows_examined: 12,
          query:
            "UPDATE 고객 SET 메모 = '주문; 취소 -- 아님', note = \"say \"\"hi\"\"; now\"\n# picked by the dashboard\n  WHERE 이름 = '김철수' AND tag = '#vip' AND id = 7;",
          statement_type: 'UPDATE',
        },
      },
    },
    timestamp: '2024-06-30T23:59:59.000Z',
  },
  {
    name: 'administrator command: admin_command set, no query, not truncated',
    message:
      '# Time: 240305 17:01:02\n# User@Host: app[app] @  [10.1.1.1]\n# Thread_id: 9  Schema: app  QC_hit: No\n# Query_time: 0.000002  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0\nSET timestamp=1709658062;\n# administrator command: Quit;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'app' },
      source: { ip: '10.1.1.1' },
      mysql: {
        thread_id: 9,
        slowlog: {
          login_user: 'app',
          query_cache_hit: false,
          query_time_sec: 0.000002,
          lock_time_sec: 0,
          rows_sent: 0,
          rows_examined: 0,
          database: 'app',
          admin_command: 'Quit',
        },
      },
    },
    timestamp: '2024-03-05T17:01:02.000Z',
  },
  {
    name: 'administrator command after a use line (old server, no SET)',
    message:
      '# User@Host: meow[meow] @  [1.2.3.8]\n# Thread_id: 7  Schema: db2\n# Query_time: 0.018799  Lock_time: 0.009453  Rows_sent: 0  Rows_examined: 0\nuse db3;\n# administrator command: Close stmt;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'meow' },
      source: { ip: '1.2.3.8' },
      mysql: {
        thread_id: 7,
        slowlog: {
          login_user: 'meow',
          query_time_sec: 0.018799,
          lock_time_sec: 0.009453,
          rows_sent: 0,
          rows_examined: 0,
          database: 'db3',
          admin_command: 'Close stmt',
        },
      },
    },
  },
  {
    name: 'RDS server banner lines (written again at every rotation) before the entry are skipped',
    message:
      '/rdsdbbin/mysql/bin/mysqld, Version: 8.0.28 (Source distribution). started with:\nTcp port: 3306  Unix socket: /tmp/mysql.sock\nTime                 Id Command    Argument\n/rdsdbbin/mysql/bin/mysqld, Version: 8.0.28 (Source distribution). started with:\nTcp port: 3306  Unix socket: /tmp/mysql.sock\nTime                 Id Command    Argument\n# Time: 2024-05-01T10:00:00.000000Z\n# User@Host: rdsadmin[rdsadmin] @ localhost []  Id:     3\n# Query_time: 1.100000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1714557599;\nFLUSH LOGS;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'rdsadmin' },
      source: { domain: 'localhost' },
      mysql: {
        thread_id: 3,
        slowlog: {
          login_user: 'rdsadmin',
          query_time_sec: 1.1,
          lock_time_sec: 0,
          rows_sent: 0,
          rows_examined: 0,
          query: 'FLUSH LOGS;',
          statement_type: 'FLUSH',
        },
      },
    },
    timestamp: '2024-05-01T09:59:59.000Z',
  },
  {
    name: 'MariaDB banner (tab-separated Time line) before the entry',
    message:
      '/usr/sbin/mysqld, Version: 10.3.13-MariaDB-log (mariadb.org binary distribution). started with:\nTcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock\nTime\t\t    Id Command\tArgument\n# User@Host: root[root] @ localhost []\n# Thread_id: 37  Schema:   QC_hit: No\n# Query_time: 2.461578  Lock_time: 0.000196  Rows_sent: 10  Rows_examined: 3145718\nSET timestamp=1553443380;\nSELECT 2;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'root' },
      source: { domain: 'localhost' },
      mysql: {
        thread_id: 37,
        slowlog: {
          login_user: 'root',
          query_cache_hit: false,
          query_time_sec: 2.461578,
          lock_time_sec: 0.000196,
          rows_sent: 10,
          rows_examined: 3145718,
          query: 'SELECT 2;',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2019-03-24T16:03:00.000Z',
  },
  {
    name: 'CRLF line endings: read like LF; the query keeps LF between its lines',
    message:
      '# Time: 2024-05-01T10:00:00.000000Z\r\n# User@Host: a[a] @ h [10.0.0.1]  Id: 1\r\n# Query_time: 1.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\r\nuse d;\r\nSET timestamp=1714557600;\r\nSELECT a\r\nFROM t;\r\n',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'a' },
      source: { ip: '10.0.0.1', domain: 'h' },
      mysql: {
        thread_id: 1,
        slowlog: {
          login_user: 'a',
          query_time_sec: 1,
          lock_time_sec: 0,
          rows_sent: 0,
          rows_examined: 0,
          database: 'd',
          query: 'SELECT a\nFROM t;',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2024-05-01T10:00:00.000Z',
  },
  {
    name: 'unknown # Key: value lines (newer MariaDB engine stats) are ignored',
    message:
      '# User@Host: a[a] @  [10.0.0.1]\n# Thread_id: 4  Schema: s  QC_hit: No\n# Query_time: 3.000000  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0\n# Pages_accessed: 184  Pages_read: 95  Pages_updated: 0  Old_rows_read: 0\n# Pages_read_time: 17.0000  Engine_time: 248.1000\nSET timestamp=1714557600;\nSELECT 3;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'a' },
      source: { ip: '10.0.0.1' },
      mysql: {
        thread_id: 4,
        slowlog: {
          login_user: 'a',
          query_cache_hit: false,
          query_time_sec: 3,
          lock_time_sec: 0,
          rows_sent: 0,
          rows_examined: 0,
          database: 's',
          query: 'SELECT 3;',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2024-05-01T10:00:00.000Z',
  },
  {
    name: 'statement type skips leading comments and parentheses',
    message:
      '# User@Host: a[a] @  [10.0.0.1]  Id: 2\n# Query_time: 1.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1714557600;\n/* app=checkout */ -- retry\n(select id from a) union (select id from b);',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'a' },
      source: { ip: '10.0.0.1' },
      mysql: {
        thread_id: 2,
        slowlog: {
          login_user: 'a',
          query_time_sec: 1,
          lock_time_sec: 0,
          rows_sent: 0,
          rows_examined: 0,
          query: '/* app=checkout */ -- retry\n(select id from a) union (select id from b);',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2024-05-01T10:00:00.000Z',
  },
  {
    name: 'Percona one-line "# Time: … # User@Host: …" and a fractional YYMMDD time',
    message:
      '# Time: 121123 19:56:06.0000001967 # User@Host: root[root] @  [127.0.0.1]\n# Thread_id: 558032  Schema: test_db  Last_errno: 0  Killed: 0\n# Query_time: 0.002515  Lock_time: 0.000197  Rows_sent: 0  Rows_examined: 1  Rows_affected: 1  Rows_read: 0\nupdate t set b = b + 30 where user_id=1;',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'root' },
      source: { ip: '127.0.0.1' },
      mysql: {
        thread_id: 558032,
        slowlog: {
          login_user: 'root',
          database: 'test_db',
          killed: 0,
          query_time_sec: 0.002515,
          lock_time_sec: 0.000197,
          rows_sent: 0,
          rows_examined: 1,
          rows_affected: 1,
          query: 'update t set b = b + 30 where user_id=1;',
          statement_type: 'UPDATE',
        },
      },
    },
    timestamp: '2012-11-23T19:56:06.000Z',
  },
  {
    name: 'a log group of another shape (operator pattern): no aws.rds ids',
    context: { logGroup: 'legacy-mysql-slow', logStream: 'x', timestamp: 0 },
    message: '# User@Host: a[a] @  [10.0.0.1]  Id: 2\n# Query_time: 1.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1714557600;\nSELECT 4;',
    fields: {
      user: { name: 'a' },
      source: { ip: '10.0.0.1' },
      mysql: {
        thread_id: 2,
        slowlog: {
          login_user: 'a',
          query_time_sec: 1,
          lock_time_sec: 0,
          rows_sent: 0,
          rows_examined: 0,
          query: 'SELECT 4;',
          statement_type: 'SELECT',
        },
      },
    },
    timestamp: '2024-05-01T10:00:00.000Z',
  },
  {
    name: 'headers and SET line but no statement: ok, tagged truncated',
    message:
      '# Time: 2024-05-01T10:00:00.000000Z\n# User@Host: a[a] @  [10.0.0.1]  Id: 2\n# Query_time: 1.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\nuse shop;\nSET timestamp=1714557600;\n',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'a' },
      source: { ip: '10.0.0.1' },
      mysql: {
        thread_id: 2,
        slowlog: {
          login_user: 'a',
          query_time_sec: 1,
          lock_time_sec: 0,
          rows_sent: 0,
          rows_examined: 0,
          database: 'shop',
        },
      },
    },
    timestamp: '2024-05-01T10:00:00.000Z',
    tags: ['truncated'],
  },
  {
    name: 'statement cut short (no final ;): query kept, tagged truncated',
    message:
      '# User@Host: a[a] @  [10.0.0.1]  Id: 2\n# Query_time: 1.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1714557600;\nINSERT INTO t VALUES (1),(2),(3',
    fields: {
      ...ON_INSTANCE,
      user: { name: 'a' },
      source: { ip: '10.0.0.1' },
      mysql: {
        thread_id: 2,
        slowlog: {
          login_user: 'a',
          query_time_sec: 1,
          lock_time_sec: 0,
          rows_sent: 0,
          rows_examined: 0,
          query: 'INSERT INTO t VALUES (1),(2),(3',
          statement_type: 'INSERT',
        },
      },
    },
    timestamp: '2024-05-01T10:00:00.000Z',
    tags: ['truncated'],
  },
];

/**
 * Fingerprint and id of each case's statement, pinned as literals (computing them with
 * the fingerprint functions would pass whatever those functions return).
 */
const FINGERPRINTS: ReadonlyMap<string, readonly [fingerprint: string, id: string]> = new Map(
  (
    [
    ["RDS MySQL 5.6: YYMMDD time with a space-padded hour, empty host, use, SET timestamp", "select * from colors where id = ?", '5cbad1f8d24aaa17'],
    ["RDS MySQL 5.6: second entry of the same second (no # Time:, no use)", "select * from colors where id = ?", '5cbad1f8d24aaa17'],
    ["YYMMDD time with a two-digit hour and no SET line (old server): time from # Time:", "select sleep(?) from n", '81433a901a48bba4'],
    ["Aurora MySQL 2 (5.7): ISO time with Z, rdsadmin on localhost, cluster log group", "commit", '7da7727ca39ddcdc'],
    ["ISO time with a +08:00 offset and no SET line: converted to UTC", "call load_stats(?, ?)", '57bfebae9343f152'],
    ["no # Time: and no SET line: no event time (the pipeline uses the CloudWatch time)", "delete from t", '925b2faad5518c6e'],
    ["MySQL 8.0 / Aurora 3 log_slow_extra with Count_hit_tmp_table_size and Start/End (two spaces before Start)", "select customer_id, sum(total) as spent from orders where created_at >= ? group by customer_id order by spent desc limit ?", '5f6bb92e0bd017bb'],
    ["MySQL 8.0.15 log_slow_extra without Count_hit_tmp_table_size (one space before Start), Thread_id beside Id:", "select ?", '02fb7a5a1a5a9a58'],
    ["MariaDB with query_plan verbosity: Thread_id/Schema/QC_hit, Rows_affected+Bytes_sent, Tmp_tables, Stored_routine, flags, explain lines", "select region, count(*) from invoices where issued_on < now() - interval ? day group by region order by ? desc", '6b25c6b84f996b7e'],
    ["RDS MariaDB: User@Host without Id:, Schema read as the database when there is no use line", "select sleep(?)", '2ccf8e2a55720266'],
    ["MariaDB 10.1: empty Schema (three spaces) gives no database; 10.2 Rows_affected alone", "call proc(?)", 'cc9113f5142ea0f9'],
    ["Percona: # Schema/Last_errno/Killed line, QC_Hit, indented InnoDB lines and unknown keys ignored", "select last_name from employees limit ?", '6339e1a0cbbebd4a'],
    ["replication thread: empty privilege user, empty host and IP ([SQL_SLAVE] @  [])", "insert into db1.conch (word3, vid83) values(?+)", '018cb6a9d4a7b8ed'],
    ["privilege user differs from login user; SET last_insert_id and insert_id", "insert into t (a) values(?+)", 'e9a2e93873962d9b'],
    ["IPv6 client address", "select ?", '02fb7a5a1a5a9a58'],
    ["statement with # lines, ; inside strings, Korean text, trailing newlines trimmed, final ; kept", "update 고객 set 메모 = ?, note = ? where 이름 = ? and tag = ? and id = ?", 'd5a256647b9cefa1'],
    ["RDS server banner lines (written again at every rotation) before the entry are skipped", "flush logs", '7e41d162ef611bfc'],
    ["MariaDB banner (tab-separated Time line) before the entry", "select ?", '02fb7a5a1a5a9a58'],
    ["CRLF line endings: read like LF; the query keeps LF between its lines", "select a from t", '8c5a49679e3c9f56'],
    ["unknown # Key: value lines (newer MariaDB engine stats) are ignored", "select ?", '02fb7a5a1a5a9a58'],
    ["statement type skips leading comments and parentheses", "(select id from a) union (select id from b)", '2681ba1acba25dc3'],
    ["Percona one-line \"# Time: … # User@Host: …\" and a fractional YYMMDD time", "update t set b = b + ? where user_id=?", 'e3a1510caeba3e35'],
    ["a log group of another shape (operator pattern): no aws.rds ids", "select ?", '02fb7a5a1a5a9a58'],
    ["statement cut short (no final ;): query kept, tagged truncated", "insert into t values(?+),(?", 'a44d8a8b48a9a116'],
    ] as const
  ).map(([name, fingerprint, id]) => [name, [fingerprint, id]]),
);

describe('parseSlowQuery: variants', () => {
  it.each(CASES)('$name', ({ name, message, context, fields, timestamp, tags }) => {
    const result = ok(parseSlowQuery(message, context ?? INSTANCE));
    expect(withoutFingerprint(result.fields)).toStrictEqual(fields);
    expect(result.timestamp).toBe(timestamp);
    expect(result.tags).toStrictEqual(tags);

    const slowlog = (result.fields['mysql'] as { slowlog: Record<string, unknown> }).slowlog;
    const query = slowlog['query'];
    if (typeof query === 'string') {
      const [fingerprint, id] = FINGERPRINTS.get(name) ?? [];
      expect(slowlog['fingerprint']).toBe(fingerprint);
      expect(slowlog['fingerprint_id']).toBe(id);
    } else {
      expect(slowlog).not.toHaveProperty('fingerprint');
      expect(slowlog).not.toHaveProperty('fingerprint_id');
    }
  });

  it('puts the fingerprint of the statement beside it', () => {
    const message =
      '# User@Host: a[a] @  [10.0.0.1]  Id: 2\n# Query_time: 1.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1714557600;\nSELECT *  FROM orders\n WHERE id IN (1, 2, 3) AND note = \'x;y\'; ';
    const slowlog = (ok(parseSlowQuery(message, INSTANCE)).fields['mysql'] as { slowlog: Record<string, unknown> }).slowlog;
    expect(slowlog['fingerprint']).toBe('select * from orders where id in(?+) and note = ?');
  });

  it('gives the same fingerprint id to two entries that differ only in literal values', () => {
    const entry = (id: number, name: string): string =>
      `# User@Host: a[a] @  [10.0.0.1]  Id: 2\n# Query_time: 1.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1714557600;\nSELECT * FROM users WHERE id = ${id} AND name = '${name}';`;
    const idOf = (message: string): unknown =>
      (ok(parseSlowQuery(message, INSTANCE)).fields['mysql'] as { slowlog: Record<string, unknown> }).slowlog['fingerprint_id'];
    expect(idOf(entry(1, 'ann'))).toBe(idOf(entry(987654, "o''brien")));
  });
});

// Every field of the `rds.mysql.slowquery` table in schema.md.
const SCHEMA_FIELDS = [
  'aws.rds.db_instance', 'aws.rds.db_cluster', 'user.name', 'mysql.slowlog.login_user', 'source.domain', 'source.ip',
  'mysql.thread_id', 'mysql.slowlog.query_time_sec', 'mysql.slowlog.lock_time_sec', 'mysql.slowlog.rows_sent',
  'mysql.slowlog.rows_examined', 'mysql.slowlog.rows_affected', 'mysql.slowlog.bytes_sent', 'mysql.slowlog.bytes_received',
  'mysql.slowlog.errno', 'mysql.slowlog.killed', 'mysql.slowlog.read_first', 'mysql.slowlog.read_last',
  'mysql.slowlog.read_key', 'mysql.slowlog.read_next', 'mysql.slowlog.read_prev', 'mysql.slowlog.read_rnd',
  'mysql.slowlog.read_rnd_next', 'mysql.slowlog.sort_merge_passes', 'mysql.slowlog.sort_range_count',
  'mysql.slowlog.sort_rows', 'mysql.slowlog.sort_scan_count', 'mysql.slowlog.created_tmp_tables',
  'mysql.slowlog.created_tmp_disk_tables', 'mysql.slowlog.count_hit_tmp_table_size', 'mysql.slowlog.tmp_tables',
  'mysql.slowlog.tmp_disk_tables', 'mysql.slowlog.tmp_table_sizes', 'mysql.slowlog.merge_passes',
  'mysql.slowlog.start_time', 'mysql.slowlog.end_time', 'mysql.slowlog.query_cache_hit', 'mysql.slowlog.full_scan',
  'mysql.slowlog.full_join', 'mysql.slowlog.tmp_table', 'mysql.slowlog.tmp_table_on_disk', 'mysql.slowlog.filesort',
  'mysql.slowlog.filesort_on_disk', 'mysql.slowlog.priority_queue', 'mysql.slowlog.stored_routine',
  'mysql.slowlog.last_insert_id', 'mysql.slowlog.insert_id', 'mysql.slowlog.database', 'mysql.slowlog.query',
  'mysql.slowlog.statement_type', 'mysql.slowlog.fingerprint', 'mysql.slowlog.fingerprint_id',
  'mysql.slowlog.admin_command',
];

function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix === '' ? key : `${prefix}.${key}`));
}

describe('parseSlowQuery: schema coverage', () => {
  it('asserts every slow-query field of schema.md in at least one case, and no other field', () => {
    // The fingerprint pair is asserted beside every case that has a query.
    const asserted = new Set([
      ...CASES.flatMap((testCase) => leafPaths(testCase.fields)),
      'mysql.slowlog.fingerprint',
      'mysql.slowlog.fingerprint_id',
    ]);
    expect([...asserted].sort()).toStrictEqual([...SCHEMA_FIELDS].sort());
  });
});

describe('parseSlowQuery: what is not an entry', () => {
  it.each([
    { name: 'empty message', message: '', reason: 'not a slow-log entry: empty message' },
    { name: 'blank lines only', message: '  \n\t\n', reason: 'not a slow-log entry: empty message' },
    {
      name: 'server banner lines only',
      message:
        '/rdsdbbin/mysql/bin/mysqld, Version: 8.0.28 (Source distribution). started with:\nTcp port: 3306  Unix socket: /tmp/mysql.sock\nTime                 Id Command    Argument',
      reason: 'not a slow-log entry: server banner lines only',
    },
    { name: 'statement without headers', message: 'SET timestamp=1;\nselect 1;', reason: /^not a slow-log entry: no header line/ },
    { name: 'an administrator command alone', message: '# administrator command: Quit;', reason: /^not a slow-log entry: no header line/ },
    {
      name: 'headers cut before # Query_time:',
      message: '# Time: 240305  7:01:02\n# User@Host: admin[admin] @  [10.0.0.1]',
      reason: 'not a slow-log entry: no # Query_time: header',
    },
    {
      name: 'unreadable # Time:',
      message: '# Time: margdl 11:48:27\n# Query_time: 1  Lock_time: 0\nselect 1;',
      reason: 'bad # Time: value "margdl 11:48:27"',
    },
    {
      name: 'impossible date in # Time:',
      message: '# Time: 2023-02-30T10:00:00Z\n# Query_time: 1  Lock_time: 0\nselect 1;',
      reason: /^bad # Time: value/,
    },
    {
      name: 'unreadable # User@Host:',
      message: '# User@Host: truncated\n# Query_time: 1  Lock_time: 0\nselect 1;',
      reason: 'bad # User@Host: line "truncated"',
    },
    {
      name: 'unreadable Query_time',
      message: '# Query_time: 18446744073708.796870.000036  Lock_time: 0.000036\nselect 1;',
      reason: /^bad Query_time value/,
    },
    { name: 'Yes/No flag with another word', message: '# Query_time: 1\n# Full_scan: Maybe\nselect 1;', reason: 'bad Full_scan value "Maybe"' },
    { name: 'unreadable Start:', message: '# Query_time: 1 Start: yesterday\nselect 1;', reason: 'bad Start value "yesterday"' },
  ])('$name', ({ message, reason }) => {
    const result = parseSlowQuery(message, INSTANCE);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    if (typeof reason === 'string') expect(result.reason).toBe(reason);
    else expect(result.reason).toMatch(reason);
    // What can still be read (the ids from the log group) comes back with the failure.
    expect(result.fields).toStrictEqual(ON_INSTANCE);
  });
});

describe('parseSlowQuery: header values', () => {
  const slowlogOf = (message: string): Record<string, unknown> =>
    (ok(parseSlowQuery(message, INSTANCE)).fields['mysql'] as { slowlog: Record<string, unknown> }).slowlog;
  const reasonOf = (message: string): string => {
    const result = parseSlowQuery(message, INSTANCE);
    if (result.ok) throw new Error('expected a parse failure');
    return result.reason;
  };

  it('leaves out the overflow value MySQL writes for a negative lock time, keeping the entry', () => {
    const slowlog = slowlogOf('# Query_time: 0.000200  Lock_time: 18446744073709.551615 Rows_sent: 1  Rows_examined: 1\nSET timestamp=1714557600;\nselect 1;');
    expect(slowlog).toMatchObject({ query_time_sec: 0.0002, rows_sent: 1, rows_examined: 1 });
    expect(slowlog).not.toHaveProperty('lock_time_sec');
  });

  it.each([
    ['a count with a letter', '# Query_time: 1  Rows_examined: 1a\nselect 1;', 'bad Rows_examined value "1a"'],
    ['an empty count at the end of the line', '# Query_time: 1  Rows_sent:\nselect 1;', 'bad Rows_sent value ""'],
    ['an empty count before the next key', '# Query_time: 1  Rows_sent:  Rows_examined: 2\nselect 1;', 'bad Rows_sent value ""'],
    ['a count of two words', '# Query_time: 1  Rows_sent: 1 2\nselect 1;', 'bad Rows_sent value "1 2"'],
    ['seconds of two words', '# Query_time: 2  3\nselect 1;', 'bad Query_time value "2 3"'],
    ['seconds with a comma', '# Query_time: 0,5\nselect 1;', 'bad Query_time value "0,5"'],
    ['seconds with a trailing dot', '# Query_time: 2.\nselect 1;', 'bad Query_time value "2."'],
    ['a flag of three other letters', '# Query_time: 1\n# Full_scan: Yep\nselect 1;', 'bad Full_scan value "Yep"'],
    ['a flag of two words', '# Query_time: 1\n# Full_scan: Yes  No\nselect 1;', 'bad Full_scan value "Yes No"'],
    ['a Thread_id that is not a number', '# Thread_id: x1  Schema: s\n# Query_time: 1\nselect 1;', 'bad Thread_id value "x1"'],
  ])('refuses %s, naming it', (_name, message, reason) => {
    expect(reasonOf(message)).toBe(reason);
  });

  it('reads flags in any case', () => {
    expect(slowlogOf('# Query_time: 1\n# Full_scan: yes  Full_join: NO  Filesort: yEs  Tmp_table: nO\nselect 1;')).toMatchObject({
      full_scan: true,
      full_join: false,
      filesort: true,
      tmp_table: false,
    });
  });

  it('joins a text value of several words with one space', () => {
    expect(slowlogOf('# Query_time: 1\n# Stored_routine: shop. \t refresh_totals  Rows_sent: 3\nselect 1;')).toMatchObject({
      stored_routine: 'shop. refresh_totals',
      rows_sent: 3,
    });
  });

  it('keeps the first value of a repeated # Time:, ignoring a later unreadable one', () => {
    const message =
      '# Time: 2024-05-01T10:00:00.000000Z\n# Time: 2024-05-02T11:00:00.000000Z\n# Time: garbage\n# Query_time: 1\nselect 1;';
    expect(ok(parseSlowQuery(message, INSTANCE)).timestamp).toBe('2024-05-01T10:00:00.000Z');
  });

  it('keeps the first # User@Host:, ignoring a later one and a later unreadable one', () => {
    const message =
      '# User@Host: first[first] @ web-1 [10.0.0.1]  Id: 1\n# User@Host: second[second] @ web-2 [10.0.0.2]  Id: 2\n# User@Host: garbage\n# Query_time: 1\nselect 1;';
    const result = ok(parseSlowQuery(message, INSTANCE));
    expect(result.fields).toMatchObject({ user: { name: 'first' }, source: { ip: '10.0.0.1', domain: 'web-1' }, mysql: { thread_id: 1 } });
  });

  it('keeps the first # User@Host: when a glued one follows a later # Time:', () => {
    const message = '# User@Host: first[first] @ web-1 []\n# Time: 121123 19:56:06 # User@Host: second[second] @ web-2 []\n# Query_time: 1\nselect 1;';
    const result = ok(parseSlowQuery(message, INSTANCE));
    expect(result.fields).toMatchObject({ user: { name: 'first' }, source: { domain: 'web-1' } });
    expect(result.timestamp).toBe('2012-11-23T19:56:06.000Z');
  });

  it('reads seconds and counts of more than 15 digits from the header line itself', () => {
    expect(slowlogOf('# Query_time: 123456789012.123456  Lock_time: 0  Rows_examined: 1234567890123456\nselect 1;')).toMatchObject({
      query_time_sec: 123456789012.123456,
      rows_examined: 1234567890123456,
    });
  });

  it('does not take a key with a digit for a known key', () => {
    const slowlog = slowlogOf('# Query_time: 1  Rows_8ent: 5  R0ws_sent: 6\nselect 1;');
    expect(slowlog).not.toHaveProperty('rows_sent');
  });

  it('keeps the first value of a repeated key on any header line', () => {
    const slowlog = slowlogOf(
      '# Thread_id: 7  Schema: first  QC_hit: No\n# Query_time: 1  Lock_time: 0  Rows_sent: 5  Rows_sent: 6\n# Thread_id: 8  Schema: second  QC_hit: Yes\n# Query_time: 9\nselect 1;',
    );
    expect(slowlog).toMatchObject({ query_time_sec: 1, rows_sent: 5, database: 'first', query_cache_hit: false });
    expect(ok(parseSlowQuery('# Thread_id: 7\n# Thread_id: 8\n# Query_time: 1\nselect 1;', INSTANCE)).fields['mysql']).toMatchObject({
      thread_id: 7,
    });
  });
});

describe('parseSlowQuery: lines around the headers', () => {
  const parse = (message: string): ParseResult => parseSlowQuery(message, INSTANCE);
  const reasonOf = (message: string): string => {
    const result = parse(message);
    if (result.ok) throw new Error('expected a parse failure');
    return result.reason;
  };
  const slowlogOf = (message: string): Record<string, unknown> =>
    (ok(parse(message)).fields['mysql'] as { slowlog: Record<string, unknown> }).slowlog;
  const ENTRY = '# Query_time: 1  Rows_sent: 1\nSET timestamp=1714557600;\nselect 1;';

  it.each([
    ['a server start line with trailing blanks', '/rdsdbbin/mysql/bin/mysqld, Version: 8.0.28 (Source distribution). started with:   '],
    ['a MariaDB port line', 'TCP Port: 3306  Unix socket: /tmp/mysql.sock'],
    ['a column line with trailing blanks', 'Time                 Id Command    Argument   '],
    ['a tab-separated column line', 'Time\tId\tCommand\tArgument'],
  ])('skips %s', (_name, banner) => {
    expect(ok(parse(`${banner}\n${ENTRY}`)).fields).toMatchObject({ mysql: { slowlog: { query: 'select 1;' } } });
  });

  it.each([
    ['a start line without its version', 'mysqld started with:'],
    ['a version line that is not a start line', 'mysqld, Version: 8.0.28 is running'],
    ['a column line without Argument', 'Time                 Id Command'],
    ['a column line without Id', 'Time                 Command    Argument'],
    ['a column line without Command', 'Time                 Id    Argument'],
    ['a column line not starting with Time', 'When                 Id Command    Argument'],
    ['a port line in other words', 'Listening on TCP Port: 3306'],
  ])('does not take %s for a banner', (_name, line) => {
    expect(reasonOf(`${line}\n${ENTRY}`)).toMatch(/^not a slow-log entry: no header line before/);
  });

  it('reads an entry whose message starts with an empty line', () => {
    expect(slowlogOf(`\n${ENTRY}`)).toMatchObject({ rows_sent: 1, query: 'select 1;' });
  });

  it('keeps a use or SET line with more after its ; as part of the statement', () => {
    expect(slowlogOf('# Query_time: 1\nuse db; select 1;')).toMatchObject({ query: 'use db; select 1;' });
    expect(slowlogOf('# Query_time: 1\nuse db; select 1;')).not.toHaveProperty('database');
    const result = ok(parse('# Query_time: 1\nSET timestamp=1714557600; select 1;'));
    expect(result).not.toHaveProperty('timestamp');
  });

  it('fails an entry whose SET timestamp is out of range, naming it', () => {
    expect(reasonOf('# Query_time: 1\nSET timestamp=99999999999999;\nselect 1;')).toBe('bad SET timestamp value "99999999999999"');
  });

  it('leaves the event time out when no line gives one', () => {
    const result = ok(parse('# Query_time: 1\nselect 1;'));
    expect('timestamp' in result).toBe(false);
  });

  it('does not tag a statement whose ; is followed by blanks as truncated', () => {
    const result = ok(parse('# Query_time: 1\nselect 1;  '));
    expect(result.tags).toBeUndefined();
  });

  it('reads headers that end the message as an entry without statement', () => {
    const result = ok(parse('# User@Host: a[a] @ h []\n# Query_time: 1'));
    expect(result.tags).toStrictEqual(['truncated']);
    expect(result.fields['mysql']).toStrictEqual({ slowlog: { login_user: 'a', query_time_sec: 1 } });
  });

  it('reads # explain: lines as no header, whatever they hold', () => {
    expect(slowlogOf('# explain: Rows_sent: 9\n# Query_time: 1  Rows_sent: 1\nselect 1;')).toMatchObject({ rows_sent: 1 });
  });

  it('reads other header lines whose third character is e, a or U as key-value lines', () => {
    expect(slowlogOf('# Query_time: 1\n# errno: 5\n# abc: 1\n# Uptime: 7  Rows_sent: 2\nselect 1;')).toMatchObject({
      errno: 5,
      rows_sent: 2,
      query: 'select 1;',
    });
  });

  it('refuses a # Time: line with nothing before a glued # User@Host:', () => {
    expect(reasonOf('# Time: # User@Host: a[a] @ h []\n# Query_time: 1\nselect 1;')).toBe('bad # Time: value ""');
  });

  it('reads a glued # User@Host: on a repeated # Time: line', () => {
    const result = ok(parse('# Time: 240305  7:01:02\n# Time: # User@Host: a[a] @ h []\n# Query_time: 1\nselect 1;'));
    expect(result.fields).toMatchObject({ user: { name: 'a' } });
  });
});
