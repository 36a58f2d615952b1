//! Credentials go only to the origin they were given for.
//!
//! The client follows links the broker returns (pacts for verification, the contract's
//! `pb:publish-verification-results`, templated relations), and servers answer with
//! redirects; either can name another scheme, host or port. A broker that is misconfigured — or
//! anyone who can make it serve a link — must not be able to collect a pipeline's token. So
//! with credentials, a link or a redirect to another origin is not followed (an error naming
//! both origins instead); without credentials there is nothing to leak, and links are followed
//! wherever they point.

use url::{Origin, Url};

/// The origin of an absolute http(s) URL; `None` when it does not parse.
pub(crate) fn origin_of(url: &str) -> Option<Origin> {
    Url::parse(url).ok().map(|url| url.origin())
}

/// Whether `url` is on `origin` (same scheme, host and port; `:80` and `:443` are the defaults).
pub(crate) fn same_origin(origin: &Origin, url: &str) -> bool {
    origin_of(url).is_some_and(|other| &other == origin)
}

/// The redirect policy for requests that may carry credentials: up to 10 redirects within the
/// first URL's origin; a redirect elsewhere is not followed (the 3xx answer is returned, for
/// the caller to report). Without credentials, reqwest's default.
pub(crate) fn redirect_policy(with_credentials: bool) -> reqwest::redirect::Policy {
    if !with_credentials {
        return reqwest::redirect::Policy::default();
    }
    reqwest::redirect::Policy::custom(|attempt| {
        let stays = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > 10 {
            attempt.error("more than 10 redirects")
        } else if stays {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// `scheme://host:port` of an origin, for messages.
pub(crate) fn describe(origin: &Origin) -> String {
    origin.ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port_with_default_ports() {
        let broker = origin_of("http://Broker.example:80/prefix").unwrap();
        assert!(same_origin(&broker, "http://broker.example/pacts/x"));
        assert!(!same_origin(&broker, "https://broker.example/pacts/x"));
        assert!(!same_origin(&broker, "http://broker.example:9292/pacts/x"));
        assert!(!same_origin(&broker, "http://broker.example.evil/x"));
        assert!(!same_origin(&broker, "http://user@evil.example/x"));
        assert!(!same_origin(&broker, "/relative"));
        assert_eq!(describe(&broker), "http://broker.example");
    }
}
