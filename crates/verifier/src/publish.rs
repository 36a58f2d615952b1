//! Turning a verification report into the results a broker stores (the Pact Broker's
//! `testResults` shape), for `--publish`.

use pactum_client::VerificationResult;
use pactum_core::contract::Pact;
use serde_json::{Value, json};

use crate::{ContractResult, Outcome};

/// The result to publish for one verified contract: per-interaction results with the
/// broker's interaction ids (`_id`, or the V4 `key`) and every mismatch.
pub fn verification_result(result: &ContractResult, pact: &Pact) -> VerificationResult {
    let mut success = true;
    let test_results = result
        .interactions
        .iter()
        .zip(&pact.interactions)
        .filter(|(r, _)| !matches!(r.outcome, Outcome::Skipped))
        .map(|(r, interaction)| {
            let passed = matches!(r.outcome, Outcome::Passed);
            success &= passed;
            let mut item = json!({
                "interactionDescription": r.description,
                "success": passed,
            });
            let id = interaction
                .extra
                .get("_id")
                .and_then(Value::as_str)
                .or(interaction.key.as_deref());
            if let Some(id) = id {
                item["interactionId"] = json!(id);
            }
            match &r.outcome {
                Outcome::Failed { mismatches } => {
                    item["mismatches"] = mismatches
                        .iter()
                        .map(|m| {
                            let attribute = match m.kind {
                                pactum_core::matching::MismatchKind::BodyType => "body".to_owned(),
                                kind => kind.to_string(),
                            };
                            // `expected`, `actual` and `rule` beside the description, so a
                            // broker page can show them apart; other brokers ignore them.
                            let mut item = json!({"attribute": attribute, "identifier": m.location, "description": m.to_string()});
                            for (name, value) in [("expected", &m.expected), ("actual", &m.actual), ("rule", &m.rule)] {
                                if let Some(value) = value {
                                    item[name] = json!(value);
                                }
                            }
                            item
                        })
                        .collect();
                }
                Outcome::Error { message } => item["exceptions"] = json!([{"message": message}]),
                _ => {}
            }
            item
        })
        .collect();
    VerificationResult {
        success,
        test_results,
    }
}
