//! `pactum verify`: replay contracts against a provider.

use std::io::IsTerminal;
use std::time::Duration;

use regex::Regex;

use super::{CliError, EXIT_FAILED, EXIT_OK, Format, Outcome, VerifyArgs};
use crate::sources::{Auth, Source, load_all};
use crate::verifier::{Filter, Options, Verifier};

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

pub(super) fn run(args: &VerifyArgs) -> Result<Outcome, CliError> {
    let mut sources: Vec<Source> = args.contracts.iter().map(|c| Source::parse(c)).collect();
    sources.extend(args.files.iter().map(|f| Source::File(f.into())));
    sources.extend(args.dirs.iter().map(|d| Source::Dir(d.into())));
    sources.extend(args.urls.iter().map(|u| Source::Url(u.clone())));
    if sources.is_empty() {
        return Err(CliError::Usage(
            "no contracts given: use --contract FILE|DIR|URL (or --file, --dir, --url)".into(),
        ));
    }
    let auth = match (&args.token, &args.user) {
        (Some(token), _) => Auth::Bearer(token.clone()),
        (None, Some(user)) => Auth::Basic {
            username: user.clone(),
            password: args.password.clone().unwrap_or_default(),
        },
        _ => Auth::None,
    };
    let options = Options {
        provider_name: args.provider.clone(),
        headers: headers(&args.headers)?,
        timeout: Duration::from_millis(args.timeout_ms),
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
        let contracts = load_all(&sources, &auth).await?;
        let mut verifier = Verifier::http(&args.provider_base_url).options(options);
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
        Ok::<_, CliError>(report?)
    })?;
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
    Ok(Outcome {
        stdout,
        code: if report.success() {
            EXIT_OK
        } else {
            EXIT_FAILED
        },
    })
}
