//! The index (`GET /`), where clients find every other resource by relation, and the
//! operational resources: the heartbeat and the metrics.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::hal::{Link, Links, SelfLinks, relation};

/// `GET /`: relation name → link (mostly URL templates), plus `curies`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Index {
    /// The relations.
    #[serde(rename = "_links")]
    pub links: Links,
}

impl Index {
    /// The link of relation `rel` (the first, if the broker sent several).
    pub fn link(&self, rel: &str) -> Option<&Link> {
        relation(&self.links, rel)
    }
}

/// `GET /diagnostic/status/heartbeat`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Heartbeat {
    /// The broker and its database answer.
    pub ok: bool,
}

/// `GET /metrics`: counts of what the broker holds, by kind (`pacticipants`, `versions`,
/// `verificationResults`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Metrics {
    /// The counts.
    #[serde(flatten)]
    pub counts: BTreeMap<String, Count>,
    /// `self`.
    #[serde(rename = "_links")]
    pub links: SelfLinks,
}

/// `{"count": n}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Count {
    /// How many.
    pub count: i64,
}
