//! HAL: links (`{href, title?, name?, templated?}`), relations that hold one link or an array
//! of them, and the `_links` of resources that only link to themselves.
//!
//! Resources with known relations have their own links struct (one field per relation); the
//! index, whose relations clients look up by name, is a [`Links`] map.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Link {
    /// The target URL, or a URL template when `templated`. Empty when a broker sent a link
    /// without one (the Pact Broker does for tag names in publish answers).
    pub href: String,
    /// What the target is, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The name clients match on in arrays of links (an environment, a tag, a consumer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `href` holds `{placeholders}` to fill in.
    #[serde(skip_serializing_if = "is_false")]
    pub templated: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Link {
    /// A link with a title.
    pub fn titled(href: impl Into<String>, title: impl Into<String>) -> Self {
        Link {
            href: href.into(),
            title: Some(title.into()),
            ..Link::default()
        }
    }

    /// A link with a title and the name clients match on.
    pub fn named(
        href: impl Into<String>,
        title: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Link {
            name: Some(name.into()),
            ..Link::titled(href, title)
        }
    }

    /// A URL template with a title.
    pub fn template(href: impl Into<String>, title: impl Into<String>) -> Self {
        Link {
            templated: true,
            ..Link::titled(href, title)
        }
    }

    /// The href, unless it is empty.
    pub fn target(&self) -> Option<&str> {
        Some(self.href.as_str()).filter(|href| !href.is_empty())
    }
}

/// The href of an optional link, unless missing or empty.
pub fn href(link: Option<&Link>) -> Option<&str> {
    link.and_then(Link::target)
}

/// A relation: one link, or an array of them.
///
/// An array is tried first: serde also reads a struct from a sequence, so `[]` would
/// otherwise read as one empty link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Relation {
    /// Several links, told apart by their `name`.
    Many(Vec<Link>),
    /// One link.
    One(Link),
}

impl Relation {
    /// The links, one or many.
    pub fn links(&self) -> &[Link] {
        match self {
            Relation::One(link) => std::slice::from_ref(link),
            Relation::Many(links) => links,
        }
    }

    /// The links, one or many, owned.
    pub fn into_links(self) -> Vec<Link> {
        match self {
            Relation::One(link) => vec![link],
            Relation::Many(links) => links,
        }
    }
}

/// `_links` as relation name → relation, for documents whose relations are looked up by name.
pub type Links = BTreeMap<String, Relation>;

/// The first link of relation `rel` in `links`.
pub fn relation<'a>(links: &'a Links, rel: &str) -> Option<&'a Link> {
    links.get(rel).and_then(|relation| relation.links().first())
}

/// `_links` with only `self`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SelfLinks {
    /// `self`: the resource itself.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
}

impl SelfLinks {
    /// Links to `href` as `self`, with a title.
    pub fn to(href: impl Into<String>, title: impl Into<String>) -> Self {
        SelfLinks {
            self_: Some(Link::titled(href, title)),
        }
    }
}
