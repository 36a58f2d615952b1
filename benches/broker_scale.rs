//! Scale benchmark: can-i-deploy and pacts-for-verification latency on a large synthetic broker.
//!
//! `cargo bench --bench broker_scale` (PostgreSQL too when `PACTUM_TEST_DATABASE_URL` is set).
//! The database is migrated by pactum, then seeded in bulk with SQL: 50 pacticipants (25
//! consumers, 25 providers, each consumer with 2 providers), 100,000 versions all on `main`,
//! 100,000 contract publications over 5,000 distinct contents, 3 environments with current and
//! past deployments of every pacticipant, and verification results in three stages — 10,000,
//! 100,000, then 1,000,000. After each stage a real `pactum broker` process answers, one request
//! at a time: can-i-deploy of a consumer's newest version and of a provider's deployed version
//! to production, and pacts for verification for a provider (main branch + deployed/released,
//! with pending status) — and, as a browser asks for them, the web pages: integrations,
//! a pacticipant, a contract, a verification result, can-i-deploy and environments.

use std::time::{Duration, Instant};

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{AssertSqlSafe, PgPool, SqlitePool};

#[path = "support/broker_process.rs"]
mod broker_process;
use broker_process::{drop_postgres, fresh_postgres, percentile, start_broker};

const CONSUMERS: i64 = 25;
const PROVIDERS: i64 = 25;
const VERSIONS_PER_PACTICIPANT: i64 = 2000;
/// Consumer contract content changes every this many versions.
const CONTENT_EVERY: i64 = 20;
const CONTENTS_PER_PAIR: i64 = VERSIONS_PER_PACTICIPANT / CONTENT_EVERY;
const ENVIRONMENTS: [&str; 3] = ["dev", "test", "production"];

enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    async fn exec(&self, sql: String) {
        let sql = AssertSqlSafe(sql);
        match self {
            Pool::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(drop),
            Pool::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(drop),
        }
        .expect("seed statement");
    }

    /// Runs `rows` (SQL value tuples) as multi-row INSERTs of 1,000 rows each.
    async fn insert(&self, head: &str, rows: impl Iterator<Item = String>) {
        let mut batch = Vec::with_capacity(1000);
        for row in rows {
            batch.push(row);
            if batch.len() == 1000 {
                self.exec(format!("{head} VALUES {}", batch.join(",")))
                    .await;
                batch.clear();
            }
        }
        if !batch.is_empty() {
            self.exec(format!("{head} VALUES {}", batch.join(",")))
                .await;
        }
    }
}

fn version_id(pacticipant: i64, k: i64) -> i64 {
    (pacticipant - 1) * VERSIONS_PER_PACTICIPANT + k
}

/// Provider `p` (26..=50) of consumer `c` (1..=25): two each.
fn providers_of(c: i64) -> [i64; 2] {
    [CONSUMERS + c, CONSUMERS + (c % PROVIDERS) + 1]
}

fn pair_index(c: i64, which: i64) -> i64 {
    (c - 1) * 2 + which
}

fn content_id(pair: i64, content: i64) -> i64 {
    pair * CONTENTS_PER_PAIR + content + 1
}

async fn seed_base(pool: &Pool) {
    let t = 1_700_000_000_000_000i64;
    pool.insert(
        "INSERT INTO pacticipants (id, name, main_branch, created_at, updated_at)",
        (1..=CONSUMERS + PROVIDERS).map(|p| {
            let name = if p <= CONSUMERS {
                format!("consumer-{p}")
            } else {
                format!("provider-{}", p - CONSUMERS)
            };
            format!("({p}, '{name}', 'main', {t}, {t})")
        }),
    )
    .await;
    pool.insert(
        "INSERT INTO versions (id, pacticipant_id, number, created_at, updated_at)",
        (1..=CONSUMERS + PROVIDERS).flat_map(|p| {
            (1..=VERSIONS_PER_PACTICIPANT).map(move |k| {
                let at = t + version_id(p, k);
                format!("({}, {p}, '1.0.{k}', {at}, {at})", version_id(p, k))
            })
        }),
    )
    .await;
    pool.insert(
        "INSERT INTO branches (id, pacticipant_id, name, created_at)",
        (1..=CONSUMERS + PROVIDERS).map(|p| format!("({p}, {p}, 'main', {t})")),
    )
    .await;
    pool.insert(
        "INSERT INTO branch_versions (branch_id, version_id, created_at)",
        (1..=CONSUMERS + PROVIDERS).flat_map(|p| {
            (1..=VERSIONS_PER_PACTICIPANT).map(move |k| format!("({p}, {}, {t})", version_id(p, k)))
        }),
    )
    .await;
    pool.insert(
        "INSERT INTO branch_heads (branch_id, version_id)",
        (1..=CONSUMERS + PROVIDERS)
            .map(|p| format!("({p}, {})", version_id(p, VERSIONS_PER_PACTICIPANT))),
    )
    .await;
    pool.insert(
        "INSERT INTO environments (id, uuid, name, production, created_at, updated_at)",
        ENVIRONMENTS.iter().enumerate().map(|(i, name)| {
            format!(
                "({}, 'env-{name}', '{name}', {}, {t}, {t})",
                i + 1,
                if *name == "production" {
                    "TRUE"
                } else {
                    "FALSE"
                }
            )
        }),
    )
    .await;
    // Per pacticipant and environment: 50 past deployments and the current one (older in
    // production than in dev).
    let mut deployment = 0;
    let mut rows = Vec::new();
    for p in 1..=CONSUMERS + PROVIDERS {
        for (e, _) in ENVIRONMENTS.iter().enumerate() {
            for past in 0..51 {
                deployment += 1;
                let k = VERSIONS_PER_PACTICIPANT - 300 - (e as i64) * 100 + past * 5;
                let current = past == 50;
                rows.push(format!(
                    "({deployment}, 'd-{deployment}', {}, {p}, {}, '', {}, {t}, {})",
                    version_id(p, k),
                    e + 1,
                    if current { "TRUE" } else { "FALSE" },
                    if current {
                        "NULL".to_owned()
                    } else {
                        t.to_string()
                    }
                ));
            }
        }
    }
    pool.insert(
        "INSERT INTO deployed_versions (id, uuid, version_id, pacticipant_id, environment_id, application_instance, currently_deployed, created_at, undeployed_at)",
        rows.into_iter(),
    )
    .await;
    // Contents: 100 per consumer/provider pair.
    let content = |c: i64, p: i64| {
        format!(
            "{{\"consumer\":{{\"name\":\"consumer-{c}\"}},\"provider\":{{\"name\":\"provider-{}\"}},\"interactions\":[],\"metadata\":{{\"pactSpecification\":{{\"version\":\"3.0.0\"}}}}}}",
            p - CONSUMERS
        )
    };
    pool.insert(
        "INSERT INTO pact_versions (id, consumer_id, provider_id, sha, content, created_at)",
        (1..=CONSUMERS).flat_map(|c| {
            (0..2).flat_map(move |which| {
                let p = providers_of(c)[which as usize];
                (0..CONTENTS_PER_PAIR).map(move |n| {
                    let id = content_id(pair_index(c, which), n);
                    format!("({id}, {c}, {p}, '{id:064x}', '{}', {t})", content(c, p))
                })
            })
        }),
    )
    .await;
    let publications = || {
        (1..=CONSUMERS).flat_map(|c| {
            (0..2).flat_map(move |which| {
                let p = providers_of(c)[which as usize];
                (1..=VERSIONS_PER_PACTICIPANT).map(move |k| {
                    let cv = version_id(c, k);
                    let content = content_id(pair_index(c, which), (k - 1) / CONTENT_EVERY);
                    let id = (pair_index(c, which)) * VERSIONS_PER_PACTICIPANT + k;
                    (id, cv, c, p, content)
                })
            })
        })
    };
    pool.insert(
        "INSERT INTO pact_publications (id, consumer_version_id, consumer_id, provider_id, revision, pact_version_id, created_at)",
        publications().map(|(id, cv, c, p, content)| format!("({id}, {cv}, {c}, {p}, 1, {content}, {})", t + cv)),
    )
    .await;
    pool.insert(
        "INSERT INTO latest_pact_publications (consumer_version_id, provider_id, consumer_id, pact_publication_id, pact_version_id, created_at)",
        publications().map(|(id, cv, c, p, content)| format!("({cv}, {p}, {c}, {id}, {content}, {})", t + cv)),
    )
    .await;
    pool.insert(
        "INSERT INTO integrations (consumer_id, provider_id, created_at)",
        (1..=CONSUMERS).flat_map(|c| providers_of(c).map(|p| format!("({c}, {p}, {t})"))),
    )
    .await;
}

/// Adds verification results `from..to` (ids), spread over every pair, weighted to recent
/// contents and provider versions; 90% succeed. Then brings `latest_verifications` up to date.
async fn seed_verifications(pool: &Pool, from: i64, to: i64) {
    let t = 1_800_000_000_000_000i64;
    pool.insert(
        "INSERT INTO verifications (id, pact_version_id, provider_version_id, consumer_id, provider_id, success, created_at)",
        (from..to).map(|i| {
            let pair = i % (CONSUMERS * 2);
            let (c, which) = (pair / 2 + 1, pair % 2);
            let p = providers_of(c)[which as usize];
            let content = content_id(pair, CONTENTS_PER_PAIR - 1 - (i / 50) % CONTENTS_PER_PAIR);
            let provider_version = version_id(p, VERSIONS_PER_PACTICIPANT - (i.wrapping_mul(7919) % VERSIONS_PER_PACTICIPANT));
            format!("({}, {content}, {provider_version}, {c}, {p}, {}, {})", i + 1, if i % 10 == 0 { "FALSE" } else { "TRUE" }, t + i)
        }),
    )
    .await;
    pool.exec(format!(
        "INSERT INTO latest_verifications (pact_version_id, provider_version_id, verification_id, success) \
         SELECT v.pact_version_id, v.provider_version_id, v.id, v.success FROM verifications v \
         WHERE v.id IN (SELECT MAX(id) FROM verifications WHERE id > {from} GROUP BY pact_version_id, provider_version_id) \
         ON CONFLICT (pact_version_id, provider_version_id) DO UPDATE SET \
         verification_id = excluded.verification_id, success = excluded.success \
         WHERE excluded.verification_id > latest_verifications.verification_id"
    ))
    .await;
}

async fn fix_sequences(pool: &Pool) {
    if let Pool::Postgres(_) = pool {
        for table in [
            "pacticipants",
            "versions",
            "branches",
            "environments",
            "deployed_versions",
            "pact_versions",
            "pact_publications",
            "verifications",
        ] {
            pool.exec(format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")).await;
        }
        pool.exec("ANALYZE".into()).await;
    } else {
        pool.exec("ANALYZE".into()).await;
    }
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    (percentile(&samples, 0.5), percentile(&samples, 0.99))
}

struct Stage {
    backend: &'static str,
    verifications: i64,
    consumer_cid: (f64, f64),
    provider_cid: (f64, f64),
    for_verification: (f64, f64),
    /// Each web page's p50 / p99.
    pages: Vec<(&'static str, (f64, f64))>,
}

/// What Chromium sends when it opens a page.
const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

/// The server time of each web page, as a browser asks for it (one request at a time).
fn measure_pages(
    client: &reqwest::blocking::Client,
    url: &str,
    requests: usize,
) -> Vec<(&'static str, (f64, f64))> {
    let consumer = 1;
    let provider = providers_of(consumer)[0] - CONSUMERS;
    let contract = format!(
        "{url}/pacts/provider/provider-{provider}/consumer/consumer-{consumer}/version/1.0.{VERSIONS_PER_PACTICIPANT}"
    );
    let get = |page: &str| {
        client
            .get(page)
            .header("accept", BROWSER_ACCEPT)
            .send()
            .unwrap()
    };
    // The newest verification of the contract, as its page links it.
    let contract_page = get(&contract).text().unwrap();
    let verification = contract_page
        .split("href=\"")
        .map(|rest| rest.split('"').next().unwrap_or_default())
        .find(|href| href.contains("/verification-results/"))
        .map(str::to_owned);
    let mut pages: Vec<(&'static str, String)> = vec![
        ("integrations", format!("{url}/")),
        (
            "pacticipant",
            format!("{url}/pacticipants/consumer-{consumer}"),
        ),
        ("contract", contract),
        (
            "can-i-deploy",
            format!(
                "{url}/ui/can-i-deploy?pacticipant=consumer-{consumer}&version=1.0.{VERSIONS_PER_PACTICIPANT}&environment=production"
            ),
        ),
        ("environments", format!("{url}/environments")),
    ];
    if let Some(verification) = verification {
        pages.push(("verification", verification));
    } else {
        eprintln!("no verification of the newest contract yet: its page is not measured");
    }
    pages
        .into_iter()
        .map(|(name, page)| {
            for _ in 0..10 {
                let _ = get(&page).bytes();
            }
            let samples = (0..requests)
                .map(|_| {
                    let started = Instant::now();
                    let response = get(&page);
                    let status = response.status();
                    let body = response.text().unwrap();
                    let elapsed = started.elapsed();
                    assert!(status.is_success(), "{name}: {status} {body}");
                    assert!(body.contains("</html>"), "{name}: not a page");
                    elapsed
                })
                .collect();
            (name, percentiles(samples))
        })
        .collect()
}

fn measure(backend: &'static str, database_url: &str, verifications: i64) -> Stage {
    let (_broker, url) = start_broker(database_url);
    let client = reqwest::blocking::Client::new();
    let requests = 300;
    let time = |n: usize,
                request: &dyn Fn(usize) -> reqwest::blocking::RequestBuilder,
                check: &dyn Fn(&serde_json::Value)| {
        for i in 0..20 {
            let _ = request(i).send().unwrap().bytes();
        }
        (0..n)
            .map(|i| {
                let started = Instant::now();
                let response = request(i).send().unwrap();
                assert!(
                    response.status().is_success(),
                    "{}",
                    response.text().unwrap()
                );
                let body: serde_json::Value = response.json().unwrap();
                let elapsed = started.elapsed();
                check(&body);
                elapsed
            })
            .collect::<Vec<_>>()
    };
    let consumer_cid = percentiles(time(
        requests,
        &|i| {
            let c = (i as i64 % CONSUMERS) + 1;
            client.get(format!("{url}/can-i-deploy?pacticipant=consumer-{c}&version=1.0.{VERSIONS_PER_PACTICIPANT}&environment=production"))
        },
        &|body| {
            assert!(
                body["summary"]["deployable"].is_boolean()
                    || body["summary"]["deployable"].is_null()
            )
        },
    ));
    let provider_cid = percentiles(time(
        requests,
        &|i| {
            let p = (i as i64 % PROVIDERS) + 1;
            let k = VERSIONS_PER_PACTICIPANT - 300 - 200 + 50 * 5;
            client.get(format!(
                "{url}/can-i-deploy?pacticipant=provider-{p}&version=1.0.{k}&environment=production"
            ))
        },
        &|body| assert!(body["matrix"].is_array()),
    ));
    let for_verification = percentiles(time(
        requests,
        &|i| {
            let p = (i as i64 % PROVIDERS) + 1;
            client
                .post(format!("{url}/pacts/provider/provider-{p}/for-verification"))
                .header("content-type", "application/json")
                .body(r#"{"consumerVersionSelectors": [{"mainBranch": true}, {"deployedOrReleased": true}], "providerVersionBranch": "main", "includePendingStatus": true}"#)
        },
        &|body| assert!(!body["_embedded"]["pacts"].as_array().unwrap().is_empty()),
    ));
    let pages = measure_pages(&client, &url, 100);
    Stage {
        backend,
        verifications,
        consumer_cid,
        provider_cid,
        for_verification,
        pages,
    }
}

fn run(backend: &'static str, database_url: &str, runtime: &tokio::runtime::Runtime) -> Vec<Stage> {
    runtime.block_on(async {
        let db = pactum::broker::Db::connect(database_url, 2).await.unwrap();
        db.migrate().await.unwrap();
        db.close().await;
    });
    let pool = runtime.block_on(async {
        if database_url.starts_with("postgres") {
            Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(2)
                    .connect(database_url)
                    .await
                    .unwrap(),
            )
        } else {
            Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect(&format!("sqlite://{database_url}"))
                    .await
                    .unwrap(),
            )
        }
    });
    let started = Instant::now();
    runtime.block_on(seed_base(&pool));
    eprintln!(
        "{backend}: base seeded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut stages = Vec::new();
    let mut seeded = 0;
    for target in [10_000, 100_000, 1_000_000] {
        let started = Instant::now();
        runtime.block_on(async {
            seed_verifications(&pool, seeded, target).await;
            fix_sequences(&pool).await;
        });
        seeded = target;
        eprintln!(
            "{backend}: {target} verification results seeded in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        stages.push(measure(backend, database_url, target));
    }
    stages
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("pactum-broker-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut stages = run(
        "SQLite",
        &dir.join("scale.sqlite").display().to_string(),
        &runtime,
    );
    if let Ok(admin_url) = std::env::var("PACTUM_TEST_DATABASE_URL") {
        let url = runtime.block_on(fresh_postgres(&admin_url, "pactum_scale"));
        stages.extend(run("PostgreSQL", &url, &runtime));
        runtime.block_on(drop_postgres(&admin_url, &url));
    } else {
        eprintln!("PostgreSQL skipped: set PACTUM_TEST_DATABASE_URL");
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "\n| backend | verification results | can-i-deploy consumer p50 / p99 | can-i-deploy provider p50 / p99 | pacts for verification p50 / p99 |"
    );
    println!("|---|---|---|---|---|");
    for s in &stages {
        println!(
            "| {} | {} | {:.2} / {:.2} ms | {:.2} / {:.2} ms | {:.2} / {:.2} ms |",
            s.backend,
            s.verifications,
            s.consumer_cid.0,
            s.consumer_cid.1,
            s.provider_cid.0,
            s.provider_cid.1,
            s.for_verification.0,
            s.for_verification.1
        );
    }
    println!("\n| backend | verification results | web page | p50 / p99 |");
    println!("|---|---|---|---|");
    for s in &stages {
        for (page, (p50, p99)) in &s.pages {
            println!(
                "| {} | {} | {page} | {p50:.2} / {p99:.2} ms |",
                s.backend, s.verifications
            );
        }
    }
    for backend in ["SQLite", "PostgreSQL"] {
        let of = |n: i64| {
            stages
                .iter()
                .find(|s| s.backend == backend && s.verifications == n)
        };
        if let (Some(small), Some(large)) = (of(10_000), of(1_000_000)) {
            println!(
                "{backend}: p99 growth 10k → 1M: can-i-deploy consumer {:.2}×, provider {:.2}×, pacts for verification {:.2}×",
                large.consumer_cid.1 / small.consumer_cid.1,
                large.provider_cid.1 / small.provider_cid.1,
                large.for_verification.1 / small.for_verification.1
            );
        }
    }
}
