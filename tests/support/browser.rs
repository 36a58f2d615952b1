//! A real browser for the web UI tests: Debian's headless Chromium driven through ChromeDriver
//! (the WebDriver protocol, with fantoccini as the client).
//!
//! Each [`Browser`] runs its own ChromeDriver on a free port of 127.0.0.1 with its own Chromium
//! and profile, so tests run in parallel without sharing cookies or state; both stop on drop.
//! The calls are blocking (the browser owns a small runtime), like the rest of the test support.
//!
//! Where they come from: `PACTUM_CHROMIUM` and `PACTUM_CHROMEDRIVER`, else `/usr/bin/chromium`
//! and `/usr/bin/chromedriver` (Debian's `chromium` and `chromium-driver` packages, which
//! `scripts/test` installs when absent). Missing, they fail the test unless
//! `PACTUM_SKIP_BROWSER` is set ([`super::prerequisites`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::prerequisites::Prerequisite;
use super::{Process, ScratchDir, free_port, wait_for_port};

/// Chromium and ChromeDriver, when the browser tests are to run.
pub struct BrowserPrograms {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// The browser programs, or `None` when the browser tests are to be skipped. Fails the test
/// when either is missing and skipping was not asked for.
pub fn programs() -> Option<BrowserPrograms> {
    let need = Prerequisite::Browser;
    if need.skipped() {
        return None;
    }
    let locate =
        |variable: &str, default: &str| {
            let path = std::env::var_os(variable)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(default));
            if !path.is_file() {
                need.missing(
                &format!("{} is not there ({variable} to name another)", path.display()),
                "install Debian's chromium and chromium-driver packages, or set PACTUM_CHROMIUM \
                 and PACTUM_CHROMEDRIVER",
            );
            }
            path
        };
    Some(BrowserPrograms {
        chromium: locate("PACTUM_CHROMIUM", "/usr/bin/chromium"),
        chromedriver: locate("PACTUM_CHROMEDRIVER", "/usr/bin/chromedriver"),
    })
}

/// A headless Chromium with one window, 1280×900 unless resized.
pub struct Browser {
    runtime: tokio::runtime::Runtime,
    client: Option<Client>,
    _driver: Process,
    _profile: ScratchDir,
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium; `None` when browser tests are skipped.
    pub fn start() -> Option<Browser> {
        let programs = programs()?;
        Some(Browser::start_with(&programs))
    }

    fn start_with(programs: &BrowserPrograms) -> Browser {
        let port = free_port();
        let driver = Process::spawn(
            Command::new(&programs.chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        wait_for_port(port);
        let profile = ScratchDir::new("chromium-profile");
        let runtime = super::runtime();
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": programs.chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = runtime
            .block_on(
                ClientBuilder::new(connector)
                    .capabilities(capabilities)
                    .connect(&format!("http://127.0.0.1:{port}")),
            )
            .unwrap_or_else(|error| {
                panic!(
                    "browser helper: Chromium ({}) did not start through ChromeDriver ({}): {error}",
                    programs.chromium.display(),
                    programs.chromedriver.display()
                )
            });
        Browser {
            runtime,
            client: Some(client),
            _driver: driver,
            _profile: profile,
        }
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the browser is open")
    }

    /// Opens a URL and waits for the page to load.
    pub fn open(&self, url: &str) {
        self.runtime
            .block_on(self.client().goto(url))
            .unwrap_or_else(|error| panic!("browser helper: could not open {url}: {error}"));
    }

    /// The address of the page shown.
    pub fn current_url(&self) -> String {
        self.runtime
            .block_on(self.client().current_url())
            .expect("browser helper: current URL")
            .to_string()
    }

    /// Runs a script in the page (its body, `return …` for a value) with `args` as `arguments`.
    pub fn script(&self, body: &str, args: Vec<Value>) -> Value {
        self.runtime
            .block_on(self.client().execute(body, args))
            .unwrap_or_else(|error| panic!("browser helper: script failed: {error}\n{body}"))
    }

    /// The text a person sees in the first element matching a CSS selector (`innerText`:
    /// rendered text, hidden parts left out), or `None` when nothing matches.
    pub fn text(&self, css: &str) -> Option<String> {
        let found = self.script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
            vec![json!(css)],
        );
        found.as_str().map(str::to_owned)
    }

    /// The visible text of every element matching a CSS selector.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let found = self.script(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText);",
            vec![json!(css)],
        );
        found
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|text| text.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The whole page's visible text.
    pub fn page_text(&self) -> String {
        self.text("body").unwrap_or_default()
    }

    /// A computed style property of the first element matching a CSS selector, as the browser
    /// resolved it (colours as `rgb(…)`).
    pub fn style(&self, css: &str, property: &str) -> Option<String> {
        let found = self.script(
            "const e = document.querySelector(arguments[0]);
             return e ? getComputedStyle(e).getPropertyValue(arguments[1]) : null;",
            vec![json!(css), json!(property)],
        );
        found.as_str().map(str::to_owned)
    }

    /// How many elements match a CSS selector.
    pub fn count(&self, css: &str) -> usize {
        self.script(
            "return document.querySelectorAll(arguments[0]).length;",
            vec![json!(css)],
        )
        .as_u64()
        .unwrap_or(0) as usize
    }

    /// Types into a form field (found by CSS), replacing what it held.
    pub fn fill(&self, css: &str, value: &str) {
        self.runtime.block_on(async {
            let field = self
                .client()
                .find(Locator::Css(css))
                .await
                .unwrap_or_else(|error| panic!("browser helper: no field {css}: {error}"));
            field.clear().await.expect("browser helper: clear field");
            field
                .send_keys(value)
                .await
                .expect("browser helper: type into field");
        });
    }

    /// Clicks the first element matching a CSS selector, as a person would (and waits for the
    /// navigation it starts, if any).
    pub fn click(&self, css: &str) {
        self.runtime.block_on(async {
            let element = self
                .client()
                .find(Locator::Css(css))
                .await
                .unwrap_or_else(|error| {
                    panic!("browser helper: nothing to click at {css}: {error}")
                });
            element.click().await.expect("browser helper: click");
        });
    }

    /// Presses Tab `times` times from the top of the page and returns what has focus then:
    /// its tag name and text (keyboard navigation).
    pub fn tab_to(&self, times: usize) -> (String, String) {
        self.runtime.block_on(async {
            let client = self.client();
            let body = client
                .find(Locator::Css("body"))
                .await
                .expect("browser helper: body");
            for _ in 0..times {
                body.send_keys("\u{e004}")
                    .await
                    .expect("browser helper: Tab");
            }
        });
        let focused = self.script(
            "const e = document.activeElement; return [e.tagName, e.innerText || e.value || ''];",
            vec![],
        );
        (
            focused[0].as_str().unwrap_or_default().to_owned(),
            focused[1].as_str().unwrap_or_default().to_owned(),
        )
    }

    /// Resizes the window (a phone is 390×844).
    pub fn resize(&self, width: u32, height: u32) {
        self.runtime
            .block_on(self.client().set_window_size(width, height))
            .expect("browser helper: resize");
    }

    /// Saves a PNG of the window to `path` (folders created).
    pub fn screenshot(&self, path: &Path) {
        let png = self
            .runtime
            .block_on(self.client().screenshot())
            .expect("browser helper: screenshot");
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("browser helper: screenshot folder");
        }
        std::fs::write(path, png).expect("browser helper: write screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            // Ends the session, so ChromeDriver stops its Chromium; the driver stops on drop.
            let _ = self.runtime.block_on(client.close());
        }
    }
}
