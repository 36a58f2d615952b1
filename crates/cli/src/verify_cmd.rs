//! `pactum verify`: replay contracts against a provider.

use std::io::IsTerminal;
use std::time::Duration;

use regex::Regex;

use clap::ArgMatches;

use super::broker_error::{Asked, VERIFY, credential_origin, flag};
use super::{CliError, EXIT_FAILED, EXIT_OK, Format, Outcome, VerifyArgs};
use pactum_broker_api::ConsumerVersionSelector;
use pactum_client::sources::{Auth, Loaded, Source, load_all};
use pactum_client::{BrokerClient, ClientError, Missing, VerificationRequest};
use pactum_verifier::Report;
use pactum_verifier::{Filter, Options, Verifier};

fn regex(flag: &str, pattern: &Option<String>) -> Result<Option<Regex>, CliError> {
    pattern
        .as_deref()
        .map(|p| Regex::new(p).map_err(|e| CliError::Usage(format!("invalid {flag} '{p}': {e}"))))
        .transpose()
}

fn headers(raw: &[String]) -> Result<Vec<(String, String)>, CliError> {
    raw.iter()
        .map(|h| match h.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => {
                Ok((name.trim().to_string(), value.trim().to_string()))
            }
            _ => Err(CliError::Usage(format!(
                "invalid --header '{h}': expected 'Name: value'"
            ))),
        })
        .collect()
}

/// How `verify` asks the broker at `base_url`, for error messages.
fn asked(args: &VerifyArgs, matches: &ArgMatches, base_url: &str) -> Asked {
    let mut asked = Asked::new(VERIFY, base_url);
    asked.credential_origin = credential_origin(matches, VERIFY, "token", "user");
    asked.verbose = args.verbose;
    if let Some(provider) = &args.provider {
        asked = asked.field(
            format!("pacticipant:{provider}"),
            flag("--provider", provider),
        );
    }
    asked
}

/// The scheme and authority of a URL (`http://host:port`): the broker a contract URL came
/// from, when no --broker-url names it.
fn origin_of(url: &str) -> &str {
    let Some((_, rest)) = url.split_once("://") else {
        return url;
    };
    match rest.find('/') {
        Some(slash) => &url[..url.len() - rest.len() + slash],
        None => url,
    }
}

pub(super) fn run(args: &VerifyArgs, matches: &ArgMatches) -> Result<Outcome, CliError> {
    let mut sources: Vec<Source> = args.contracts.iter().map(|c| Source::parse(c)).collect();
    sources.extend(args.files.iter().map(|f| Source::File(f.into())));
    sources.extend(args.dirs.iter().map(|d| Source::Dir(d.into())));
    sources.extend(args.urls.iter().map(|u| Source::Url(u.clone())));
    if sources.is_empty() && args.broker_url.is_none() {
        return Err(CliError::Usage(
            "no contracts given: use --contract FILE|DIR|URL (or --file, --dir, --url), or \
             --broker-url with --provider"
                .into(),
        ));
    }
    let broker_request = broker_request(args)?;
    let filtered = args.filter_description.is_some()
        || args.filter_state.is_some()
        || !args.filter_consumers.is_empty();
    if args.publish && filtered {
        return Err(CliError::Usage(
            "--publish with --filter-*: the results of a partial verification would be recorded \
             as the provider's verdict; run without filters to publish"
                .into(),
        ));
    }
    let auth = Auth::from_flags(
        args.token.as_deref(),
        args.user.as_deref(),
        args.password.as_deref(),
    );
    let options = Options {
        provider_name: args.provider.clone(),
        headers: headers(&args.headers)?,
        timeout: Duration::from_millis(args.timeout_ms),
        max_response_body: args.max_response_body_size,
        state_change_url: args.state_change_url.clone(),
        message_path: args.message_path.clone(),
        filter: Filter {
            description: regex("--filter-description", &args.filter_description)?,
            state: regex("--filter-state", &args.filter_state)?,
            consumers: args.filter_consumers.clone(),
        },
        parallel: args.parallel,
        parallel_with_states: args.parallel_with_states,
    };
    // Sequential verification is a chain of round trips: one thread avoids hand-offs between
    // threads on each of them. Parallel verification gets worker threads.
    let runtime = if args.parallel > 1 {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .map_err(CliError::Runtime)?;
    let report = runtime.block_on(async {
        let mut contracts = load_all(&sources, &auth).await?;
        if let (Some(url), Some(request)) = (&args.broker_url, &broker_request) {
            let asked = asked(args, matches, url);
            let client = BrokerClient::new(url, auth.clone()).map_err(|e| asked.failure(e))?;
            let selected = client
                .pacts_for_verification(request)
                .await
                .map_err(|error| match error {
                    ClientError::NotFound {
                        missing: Missing::Pacticipant { .. },
                        ..
                    } => asked.clone().hint(
                        "check --provider: the broker knows a provider once a consumer published a contract with it",
                    ).failure(error),
                    error => asked.failure(error),
                })?;
            if selected.is_empty() && contracts.is_empty() {
                return Err(CliError::Usage(format!(
                    "the broker at {url} selected no contracts for provider '{}' (selectors: {}); \
                     nothing to verify",
                    request.provider,
                    if request.selectors.is_empty() {
                        "the broker's defaults".to_owned()
                    } else {
                        serde_json::to_string(&request.selectors).unwrap_or_default()
                    }
                )));
            }
            contracts.extend(selected);
        }
        let mut verifier = Verifier::http(&args.provider_base_url)?.options(options);
        // A progress bar on a terminal when there is enough to wait for; never in pipes or CI logs.
        let total: usize = contracts.iter().map(|c| c.pact.interactions.len()).sum();
        let bar = (std::io::stderr().is_terminal() && total >= 20).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} interactions {msg}")
            {
                bar.set_style(style);
            }
            bar
        });
        if let Some(bar) = bar.clone() {
            verifier = verifier.on_progress(move |result| {
                bar.inc(1);
                if result.fails_verification() {
                    bar.set_message(format!("(failed: {})", result.description));
                }
            });
        }
        let report = verifier.verify(&contracts).await;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let report = report?;
        let published = if args.publish {
            Some(publish(args, matches, &auth, &contracts, &report).await)
        } else {
            None
        };
        Ok::<_, CliError>((report, published, contracts))
    })?;
    let (report, published, contracts) = report;
    if let Some(file) = &args.junit
        && let Err(e) = std::fs::write(file, report.to_junit())
    {
        // The verification ran: still show its result, then say what failed.
        eprint!("{}", report.to_text(false));
        return Err(CliError::Usage(format!(
            "cannot write the JUnit report {}: {e}",
            file.display()
        )));
    }
    let stdout = match args.format {
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&report.to_json()).unwrap_or_default()
        ),
        Format::Text => {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            report.to_text(colour)
        }
    };
    let mut outcome = Outcome::new(
        stdout,
        if report.success() {
            EXIT_OK
        } else {
            EXIT_FAILED
        },
    );
    outcome.leftovers.contracts = contracts;
    outcome.leftovers.report = Some(report);
    match published {
        Some(Ok(lines)) if args.format == Format::Text => {
            outcome.stdout.push_str(&lines);
        }
        Some(Err(error)) => {
            // The verification ran and its report stands: it is printed first, then why the
            // results could not be published.
            outcome.then = Some(error);
            outcome.code = super::EXIT_ERROR;
        }
        _ => {}
    }
    Ok(outcome)
}

/// What to ask the broker, from the command line; `None` without --broker-url.
fn broker_request(args: &VerifyArgs) -> Result<Option<VerificationRequest>, CliError> {
    if args.broker_url.is_none() {
        return Ok(None);
    }
    let provider = args.provider.clone().ok_or_else(|| {
        CliError::Usage(
            "--broker-url needs --provider NAME: the broker selects contracts per provider".into(),
        )
    })?;
    let mut selectors = Vec::new();
    for text in &args.consumer_version_selectors {
        let selector: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            CliError::Usage(format!("invalid --consumer-version-selectors '{text}': {e} (expected JSON such as '{{\"mainBranch\": true}}')"))
        })?;
        if !selector.is_object() {
            return Err(CliError::Usage(format!(
                "invalid --consumer-version-selectors '{text}': expected a JSON object"
            )));
        }
        // Keys pactum does not know are passed on: the broker may (and says if it does not).
        let selector: ConsumerVersionSelector = serde_json::from_value(selector).map_err(|e| {
            CliError::Usage(format!(
                "invalid --consumer-version-selectors '{text}': {e}"
            ))
        })?;
        selectors.push(selector);
    }
    for tag in &args.consumer_version_tags {
        selectors.push(ConsumerVersionSelector {
            tag: Some(tag.clone()),
            latest: Some(true),
            ..ConsumerVersionSelector::default()
        });
    }
    if args.include_wip_pacts_since.is_some()
        && args.provider_branch.is_none()
        && args.provider_tags.is_empty()
    {
        return Err(CliError::Usage(
            "--include-wip-pacts-since needs --provider-branch: a contract is work in progress until this branch verifies it".into(),
        ));
    }
    Ok(Some(VerificationRequest {
        provider,
        selectors,
        provider_branch: args.provider_branch.clone(),
        provider_tags: args.provider_tags.clone(),
        include_pending: args.enable_pending,
        include_wip_since: args.include_wip_pacts_since.clone(),
    }))
}

/// Publishes each broker contract's result; returns the lines to print.
async fn publish(
    args: &VerifyArgs,
    matches: &ArgMatches,
    auth: &Auth,
    contracts: &[Loaded],
    report: &Report,
) -> Result<String, CliError> {
    let version = args
        .provider_app_version
        .as_deref()
        .expect("clap requires it with --publish");
    // Results name the contract they belong to by its origin; the verifier leaves out
    // contracts of other providers, so positions do not line up.
    let publishable: Vec<(&Loaded, &pactum_verifier::ContractResult)> = report
        .contracts
        .iter()
        .filter_map(|result| {
            contracts
                .iter()
                .find(|loaded| loaded.origin == result.source)
                .map(|loaded| (loaded, result))
        })
        .filter(|(loaded, _)| pactum_client::publishable(&loaded.pact))
        .collect();
    if publishable.is_empty() {
        return Err(CliError::Usage(
            "--publish: none of the contracts came from a broker (no pb:publish-verification-results link); \
             use --broker-url, or --url with a broker's pact URL"
                .into(),
        ));
    }
    let base = match &args.broker_url {
        Some(url) => url.clone(),
        None => origin_of(&publishable[0].0.origin).to_owned(),
    };
    let mut asked = asked(args, matches, &base);
    asked.doing = Some("cannot publish the verification results".into());
    let client = BrokerClient::new(&base, auth.clone()).map_err(|e| asked.failure(e))?;
    client
        .tag_provider_version(
            &publishable[0].0.pact,
            version,
            args.provider_branch.as_deref(),
            &args.provider_tags,
        )
        .await
        .map_err(|e| asked.failure(e))?;
    let mut lines = String::from("\n");
    for (loaded, result) in publishable {
        let outcome = pactum_verifier::publish::verification_result(result, &loaded.pact);
        let url = client
            .publish_result(&loaded.pact, version, args.build_url.as_deref(), &outcome)
            .await
            .map_err(|e| asked.failure(e))?;
        lines.push_str(&format!(
            "Published {} verification of {} -> {} by {} {version}: {url}\n",
            if outcome.success {
                "successful"
            } else {
                "failed"
            },
            loaded.pact.consumer.name,
            loaded.pact.provider.name,
            loaded.pact.provider.name,
        ));
    }
    Ok(lines)
}
