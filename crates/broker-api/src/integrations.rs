//! Integrations: the consumer/provider pairs that have exchanged a contract (`/integrations`),
//! one pair (`/integrations/provider/{p}/consumer/{c}`), and the query that filters and pages
//! the list.

use serde::{Deserialize, Serialize};

use crate::hal::Link;

/// `GET /integrations`: every pair, by consumer and provider name (or the page asked for).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Integrations {
    /// The pairs.
    #[serde(rename = "_embedded")]
    pub embedded: IntegrationsEmbedded,
    /// Where this page is among all of them (only when a page was asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<Page>,
    /// The list, and the pages around this one.
    #[serde(rename = "_links")]
    pub links: IntegrationsLinks,
}

/// The pairs of an [`Integrations`] list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntegrationsEmbedded {
    /// Each pair.
    pub integrations: Vec<Integration>,
}

/// One consumer/provider pair.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Integration {
    /// The consumer.
    pub consumer: IntegrationParty,
    /// The provider.
    pub provider: IntegrationParty,
    /// What can be done with the pair.
    #[serde(rename = "_links")]
    pub links: IntegrationLinks,
}

/// A consumer or provider of an integration, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntegrationParty {
    /// The pacticipant's name.
    pub name: String,
}

/// The relations of an integration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntegrationLinks {
    /// The matrix of the pair's contracts and verification results.
    #[serde(rename = "pb:matrix", skip_serializing_if = "Option::is_none")]
    pub matrix: Option<Link>,
    /// The pair itself; `DELETE` removes its contracts and verification results.
    #[serde(
        rename = "pb:delete_integration",
        skip_serializing_if = "Option::is_none"
    )]
    pub delete_integration: Option<Link>,
}

/// The relations of an [`Integrations`] list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntegrationsLinks {
    /// The list.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// The next page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Link>,
    /// The previous page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Link>,
}

/// Where a page sits in a paged list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Page {
    /// This page's number, from 1.
    pub number: u64,
    /// Items per page.
    pub size: u64,
    /// Items in all pages.
    pub total_elements: u64,
    /// How many pages there are.
    pub total_pages: u64,
}

/// The query of `GET /integrations`: `q` keeps the pairs one of whose names contains it
/// (ignoring case); `page` and `size` (or `pageNumber` and `pageSize`) ask for one page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationsQuery {
    /// Part of a consumer or provider name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// The page number, from 1.
    #[serde(
        default,
        deserialize_with = "crate::de::number",
        skip_serializing_if = "Option::is_none"
    )]
    pub page: Option<u64>,
    /// Items per page.
    #[serde(
        default,
        deserialize_with = "crate::de::number",
        skip_serializing_if = "Option::is_none"
    )]
    pub size: Option<u64>,
    /// The page number, from 1 (the other spelling).
    #[serde(
        default,
        deserialize_with = "crate::de::number",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_number: Option<u64>,
    /// Items per page (the other spelling).
    #[serde(
        default,
        deserialize_with = "crate::de::number",
        skip_serializing_if = "Option::is_none"
    )]
    pub page_size: Option<u64>,
}
