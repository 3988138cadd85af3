//! `RedisStore` against a real `redis-server` (skipped with a message when it is not
//! installed, except under CI), and against fake servers that misbehave on purpose.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use sbomgen_cache::{CacheError, RedisOptions, RedisStore, Store};
use sbomgen_testkit::redis::{redis_tests_can_run, RedisServer, RedisServerOptions};

const TTL: Duration = Duration::from_secs(90);

fn options() -> RedisOptions {
    RedisOptions {
        ttl: TTL,
        ..RedisOptions::default()
    }
}

fn server(options: RedisServerOptions) -> Option<RedisServer> {
    redis_tests_can_run().then(|| RedisServer::start(options).expect("redis-server starts"))
}

fn connect(url: &str, options: RedisOptions) -> RedisStore {
    RedisStore::connect_with(url, options).unwrap_or_else(|e| panic!("{url}: {e}"))
}

fn unreachable_reason(result: Result<impl std::fmt::Debug, CacheError>) -> String {
    match result {
        Err(CacheError::Unreachable { reason, .. }) => reason,
        other => panic!("expected Unreachable, got {other:?}"),
    }
}

fn protocol_reason(result: Result<impl std::fmt::Debug, CacheError>) -> String {
    match result {
        Err(CacheError::Protocol { reason, .. }) => reason,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

fn key(store_key: &str) -> String {
    format!("{}{store_key}", RedisStore::KEY_PREFIX)
}

#[test]
fn values_round_trip_and_missing_keys_are_none() {
    let Some(redis) = server(RedisServerOptions::default()) else {
        return;
    };
    let store = connect(&redis.url(), options());
    assert_eq!(store.describe(), redis.url());
    assert_eq!(store.get("absent").unwrap(), None);

    store.put("small", b"a\r\nvalue").unwrap();
    assert_eq!(
        store.get("small").unwrap().as_deref(),
        Some(&b"a\r\nvalue"[..])
    );
    store.put("small", b"replaced").unwrap();
    assert_eq!(
        store.get("small").unwrap().as_deref(),
        Some(&b"replaced"[..])
    );
    store.put("empty", b"").unwrap();
    assert_eq!(store.get("empty").unwrap(), Some(Vec::new()));

    // Tens of MB, as a large layer's analysis can be.
    let large: Vec<u8> = (0..24_000_000u32).map(|i| (i * 7 % 253) as u8).collect();
    store.put("large", &large).unwrap();
    assert!(store.get("large").unwrap() == Some(large));

    // The keys are prefixed, as redis-cli sees them.
    assert_eq!(redis.cli(&["GET", &key("small")]).unwrap(), "\"replaced\"");
    assert_eq!(redis.cli(&["EXISTS", "small"]).unwrap(), "(integer) 0");
}

#[test]
fn entries_get_the_ttl_and_the_database_of_the_url() {
    let Some(redis) = server(RedisServerOptions::default()) else {
        return;
    };
    let store = connect(&redis.url().replace("/0", "/3"), options());
    store.put("layer", b"x").unwrap();
    let ttl: i64 = redis
        .cli(&["-n", "3", "TTL", &key("layer")])
        .unwrap()
        .trim_start_matches("(integer) ")
        .parse()
        .unwrap();
    assert!(
        ttl > 0 && ttl <= i64::try_from(TTL.as_secs()).unwrap(),
        "TTL {ttl}"
    );
    assert_eq!(
        redis.cli(&["EXISTS", &key("layer")]).unwrap(),
        "(integer) 0"
    );

    let forever = RedisOptions {
        ttl: Duration::ZERO,
        ..options()
    };
    connect(&redis.url(), forever).put("kept", b"x").unwrap();
    assert_eq!(redis.cli(&["TTL", &key("kept")]).unwrap(), "(integer) -1");
}

#[test]
fn a_password_is_required_checked_and_never_shown() {
    let Some(redis) = server(RedisServerOptions::default().password("s3cret-pw")) else {
        return;
    };
    let plain = redis.url();
    let reason = protocol_reason(RedisStore::connect_with(&plain, options()));
    assert!(reason.contains("requires a password"), "{reason}");
    assert!(reason.contains("SBOMGEN_REDIS_PASSWORD"), "{reason}");

    let wrong = plain.replace("redis://", "redis://:wrong-pw@");
    let error = RedisStore::connect_with(&wrong, options()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("authentication failed"), "{message}");
    assert!(!message.contains("wrong-pw"), "{message}");

    let in_url = connect(&plain.replace("redis://", "redis://:s3cret-pw@"), options());
    in_url.put("k", b"v").unwrap();
    assert_eq!(in_url.get("k").unwrap().as_deref(), Some(&b"v"[..]));
    assert!(!format!("{in_url:?}").contains("s3cret-pw"));
    assert!(!in_url.describe().contains("s3cret-pw"));

    // The ACL form, user `default`, and the password given apart from the URL.
    let separate = RedisOptions {
        password: Some("s3cret-pw".into()),
        ..options()
    };
    let store = connect(&plain.replace("redis://", "redis://default@"), separate);
    assert_eq!(store.get("k").unwrap().as_deref(), Some(&b"v"[..]));
}

#[test]
fn tls_round_trip_with_the_ca_trusted_and_refusal_without() {
    let Some(redis) = server(RedisServerOptions::default().tls()) else {
        return;
    };
    let url = redis.url();
    assert!(url.starts_with("rediss://"));
    let trusted = RedisOptions {
        ca_cert: redis.ca_cert().map(Into::into),
        ..options()
    };
    let store = connect(&url, trusted);
    let value = vec![7u8; 3_000_000];
    store.put("tls", &value).unwrap();
    assert_eq!(store.get("tls").unwrap(), Some(value));
    assert_eq!(
        redis.cli(&["STRLEN", &key("tls")]).unwrap(),
        "(integer) 3000000"
    );

    let reason = unreachable_reason(RedisStore::connect_with(&url, options()));
    assert!(
        reason.contains("TLS") && reason.contains("UnknownIssuer"),
        "{reason}"
    );
    let plain = url.replace("rediss://", "redis://");
    let reason = unreachable_reason(RedisStore::connect_with(&plain, options()));
    assert!(reason.contains("closed the connection"), "{reason}");
}

#[test]
fn a_server_down_at_start_is_unreachable() {
    let Some(mut redis) = server(RedisServerOptions::default()) else {
        return;
    };
    redis.kill().unwrap();
    let error = RedisStore::connect_with(&redis.url(), options()).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, CacheError::Unreachable { .. }), "{error:?}");
    assert!(message.contains(&redis.url()), "{message}");
    assert!(message.contains("cannot connect"), "{message}");
}

#[test]
fn a_server_killed_between_operations_is_unreachable_until_it_is_back() {
    let Some(mut redis) = server(RedisServerOptions::default()) else {
        return;
    };
    let store = connect(&redis.url(), options());
    store.put("before", b"1").unwrap();
    redis.kill().unwrap();
    unreachable_reason(store.get("before"));
    unreachable_reason(store.put("during", b"2"));

    redis.restart().unwrap();
    // Nothing persisted: the restarted server is empty, and the store uses it again.
    assert_eq!(store.get("before").unwrap(), None);
    store.put("after", b"3").unwrap();
    assert_eq!(store.get("after").unwrap().as_deref(), Some(&b"3"[..]));
}

#[test]
fn idle_connections_broken_by_a_restart_are_replaced_without_an_error() {
    let Some(mut redis) = server(RedisServerOptions::default()) else {
        return;
    };
    let store = connect(&redis.url(), options());
    store.put("k", b"v").unwrap();
    redis.restart().unwrap();
    assert_eq!(store.get("k").unwrap(), None);
    store.put("k", b"again").unwrap();
    assert_eq!(store.get("k").unwrap().as_deref(), Some(&b"again"[..]));
}

#[test]
fn threads_share_one_store() {
    let Some(redis) = server(RedisServerOptions::default()) else {
        return;
    };
    let store = connect(&redis.url(), options());
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let store = &store;
            scope.spawn(move || {
                for i in 0..50 {
                    let key = format!("t{thread}-{i}");
                    let value = format!("{thread}:{i}").repeat(1000);
                    store.put(&key, value.as_bytes()).unwrap();
                    assert_eq!(store.get(&key).unwrap(), Some(value.into_bytes()));
                }
            });
        }
    });
    assert_eq!(redis.cli(&["DBSIZE"]).unwrap(), "(integer) 400");
}

/// A fake server on a free port: answers each command read with the next of `replies`, then
/// holds the connection open without answering.
fn fake_server(replies: &'static [&'static [u8]]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let Ok((mut socket, _)) = listener.accept() else {
            return;
        };
        let mut buffer = [0u8; 4096];
        for reply in replies {
            if socket.read(&mut buffer).unwrap_or(0) == 0 {
                return;
            }
            let _ = socket.write_all(reply);
        }
        std::thread::sleep(Duration::from_secs(5));
    });
    format!("redis://127.0.0.1:{port}/0")
}

#[test]
fn a_huge_announced_value_is_a_protocol_error_not_an_allocation() {
    let url = fake_server(&[b"+PONG\r\n", b"$99999999999\r\n"]);
    let store = connect(&url, options());
    let reason = protocol_reason(store.get("layer"));
    assert!(reason.contains("exceeds the limit"), "{reason}");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let url = fake_server(&[]);
    let quick = RedisOptions {
        timeout: Duration::from_millis(300),
        ..options()
    };
    let started = Instant::now();
    let reason = unreachable_reason(RedisStore::connect_with(&url, quick));
    assert!(reason.contains("timed out after 300ms"), "{reason}");
    // The timeout bounds the wait (generously: a loaded machine), rather than a hang.
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn bad_urls_name_the_problem() {
    let error = RedisStore::connect_with("redis://cache:6379/db", options()).unwrap_err();
    assert!(matches!(error, CacheError::BadUrl { .. }), "{error:?}");
    assert!(error.to_string().contains("database number"), "{error}");
}
