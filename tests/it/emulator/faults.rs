//! The knobs: latency, rate limit, seeded 429s, 500s and lost answers.

use std::time::{Duration, Instant};

use billingctl::emulator::EmulatorKnobs;
use serde_json::json;

use super::support::{encode, Emu, KEY};

fn rate_limited() -> serde_json::Value {
    json!({
        "code": "rate_limit",
        "doc_url": "https://stripe.com/docs/error-codes/rate-limit",
        "message": "Request rate limit exceeded. You can learn more about rate limits here \
                    https://stripe.com/docs/rate-limits.",
        "type": "invalid_request_error",
    })
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let emu = Emu::with_knobs(EmulatorKnobs {
        latency_ms: 150,
        ..EmulatorKnobs::default()
    });
    let started = Instant::now();
    emu.get("/v1/products").await.ok();
    // A lower bound only: the emulator sleeps at least this long before answering.
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn past_the_rate_limit_requests_are_answered_429() {
    let emu = Emu::with_knobs(EmulatorKnobs {
        rate_limit: 2,
        ..EmulatorKnobs::default()
    });
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..6 {
        let answer = emu.get("/v1/products").await;
        statuses.push(answer.status);
        if answer.status == 429 {
            limited = Some(answer);
        }
    }
    // The first two of the second are admitted; the rest of that second is refused.
    assert_eq!(&statuses[..3], [200, 200, 429]);
    limited.unwrap().error(429, rate_limited());
}

#[tokio::test]
async fn error_rate_answers_500_before_any_change() {
    let emu = Emu::with_knobs(EmulatorKnobs {
        error_rate: 0.5,
        seed: 1,
        ..EmulatorKnobs::default()
    });
    let mut refused = Vec::new();
    for i in 0..10 {
        let id = format!("p{i}");
        let answer = emu
            .post("/v1/products", &[("id", &id), ("name", "A")])
            .await;
        if answer.status == 500 {
            answer.error(
                500,
                json!({
                    "message": "An unknown error occurred while processing your request \
                                (emulated fault).",
                    "type": "api_error",
                }),
            );
            refused.push(id);
        }
    }
    assert!(!refused.is_empty(), "seed 1 draws some 500s");
    for id in refused {
        // Reads meet the same faults: ask until one is answered.
        let status = loop {
            let status = emu.get(&format!("/v1/products/{id}")).await.status;
            if status != 500 {
                break status;
            }
        };
        assert_eq!(status, 404, "{id} was not created");
    }
}

#[tokio::test]
async fn seeded_faults_repeat_with_the_same_seed() {
    let knobs = EmulatorKnobs {
        error_rate: 0.3,
        rate_limit_error_rate: 0.2,
        seed: 42,
        ..EmulatorKnobs::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let emu = Emu::with_knobs(knobs.clone());
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(emu.get("/v1/products").await.status);
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&500) && runs[0].contains(&429) && runs[0].contains(&200));
    let other_seed = Emu::with_knobs(EmulatorKnobs { seed: 7, ..knobs });
    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(other_seed.get("/v1/products").await.status);
    }
    assert_ne!(statuses, runs[0]);
}

#[tokio::test]
async fn seeded_429s_are_not_saved_under_the_idempotency_key() {
    let emu = Emu::with_knobs(EmulatorKnobs {
        rate_limit_error_rate: 0.5,
        seed: 3,
        ..EmulatorKnobs::default()
    });
    let mut answers = Vec::new();
    for _ in 0..20 {
        let answer = emu
            .post_idempotent("/v1/products", &[("name", "A")], "retry-me")
            .await;
        let done = answer.status == 200;
        answers.push(answer);
        if done {
            break;
        }
    }
    assert!(
        answers.iter().any(|a| a.status == 429),
        "seed 3 draws a 429 first"
    );
    assert_eq!(answers.last().unwrap().status, 200);
    let mut created = 0;
    for _ in 0..20 {
        let page = emu.get("/v1/products").await;
        if page.status == 200 {
            created = page.body["data"].as_array().unwrap().len();
            break;
        }
    }
    assert_eq!(created, 1);
}

#[tokio::test]
async fn a_lost_answer_commits_the_change_and_drops_the_connection() {
    let emu = Emu::with_knobs(EmulatorKnobs {
        lost_rate: 1.0,
        ..EmulatorKnobs::default()
    });
    let form = [("id", "p"), ("name", "A")];
    let lost = async {
        let response = emu
            .client
            .post(emu.url("/v1/products"))
            .bearer_auth(KEY)
            .header("idempotency-key", "lost-1")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&form))
            .send()
            .await?;
        response.bytes().await
    }
    .await;
    assert!(lost.is_err(), "the client sees a network error: {lost:?}");
    // The change was committed...
    assert_eq!(emu.get("/v1/products/p").await.ok().body["name"], "A");
    // ...and its answer was saved: the retry under the same key replays it (reads are not
    // writes, so GETs are never lost).
    let retry = emu.post_idempotent("/v1/products", &form, "lost-1").await;
    assert_eq!(retry.status, 200);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body["id"], "p");
}
