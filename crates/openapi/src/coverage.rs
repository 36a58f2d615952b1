//! Coverage: which operations, response statuses, parameters and body fields of a document the
//! consumers' contracts rely on, and which none does — what the provider can change freely.

use std::collections::{BTreeMap, BTreeSet};

use pactum_core::contract::Pact;
use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::usage::{Usage, schema_fields, usage};

/// One field of a body schema and who relies on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldCoverage {
    /// Its path, e.g. `items[].name`.
    pub field: String,
    /// The consumers relying on it (sorted, unique).
    pub used_by: Vec<String>,
}

/// One response status of an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusCoverage {
    /// As the document writes it.
    pub status: String,
    /// The consumers expecting it.
    pub used_by: Vec<String>,
    /// The fields of its bodies (every media type, merged).
    pub fields: Vec<FieldCoverage>,
}

/// One parameter of an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParameterCoverage {
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Its name.
    pub name: String,
    /// The consumers sending it.
    pub used_by: Vec<String>,
}

/// One operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationCoverage {
    /// `GET /items/{id}`.
    pub operation: String,
    /// The consumers calling it.
    pub used_by: Vec<String>,
    /// Its parameters.
    pub parameters: Vec<ParameterCoverage>,
    /// The fields of its request bodies.
    pub request_fields: Vec<FieldCoverage>,
    /// Its responses.
    pub statuses: Vec<StatusCoverage>,
}

/// Coverage of a whole document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// Every operation, in document order.
    pub operations: Vec<OperationCoverage>,
    /// Interactions no operation serves, as `consumer: description`.
    pub unrouted: Vec<String>,
}

impl Coverage {
    /// Counts of (used, all) operations, statuses and fields, for summaries.
    pub fn totals(&self) -> [(usize, usize); 3] {
        let ops = (
            self.operations
                .iter()
                .filter(|o| !o.used_by.is_empty())
                .count(),
            self.operations.len(),
        );
        let statuses: Vec<&StatusCoverage> =
            self.operations.iter().flat_map(|o| &o.statuses).collect();
        let status_totals = (
            statuses.iter().filter(|s| !s.used_by.is_empty()).count(),
            statuses.len(),
        );
        let fields: Vec<&FieldCoverage> = self
            .operations
            .iter()
            .flat_map(|o| {
                o.request_fields
                    .iter()
                    .chain(o.statuses.iter().flat_map(|s| &s.fields))
            })
            .collect();
        let field_totals = (
            fields.iter().filter(|f| !f.used_by.is_empty()).count(),
            fields.len(),
        );
        [ops, status_totals, field_totals]
    }
}

/// Computes coverage of `document` by the contracts, each named by its consumer.
pub fn coverage(document: &Document, contracts: &[(String, &Pact)]) -> Coverage {
    let mut usages: Vec<(String, Usage)> = Vec::new();
    let mut unrouted = Vec::new();
    for (consumer, pact) in contracts {
        for interaction in &pact.interactions {
            match usage(document, interaction) {
                Some(u) => usages.push((consumer.clone(), u)),
                None if matches!(
                    interaction.kind,
                    pactum_core::contract::InteractionKind::Http { .. }
                ) =>
                {
                    unrouted.push(format!("{consumer}: {}", interaction.description))
                }
                None => {}
            }
        }
    }
    let users = |filter: &dyn Fn(&Usage) -> bool| -> Vec<String> {
        usages
            .iter()
            .filter(|(_, u)| filter(u))
            .map(|(c, _)| c.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let mut operations = Vec::new();
    for operation in document.operations() {
        let label = operation.label();
        let on_op = |u: &Usage| u.operation == label;
        let parameters = operation
            .parameters
            .iter()
            .map(|p| ParameterCoverage {
                location: p.location.as_str().into(),
                name: p.name.clone(),
                used_by: users(&|u: &Usage| {
                    on_op(u)
                        && u.parameters
                            .iter()
                            .any(|(l, n)| *l == p.location && n.eq_ignore_ascii_case(&p.name))
                }),
            })
            .collect();
        let mut request_paths = BTreeSet::new();
        for media in operation.request_body.iter().flat_map(|b| &b.content) {
            if let Some(schema) = &media.schema {
                request_paths.extend(
                    schema_fields(document.root(), &schema.raw, &schema.location).into_keys(),
                );
            }
        }
        let request_fields = request_paths
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(|field| FieldCoverage {
                used_by: users(&|u: &Usage| on_op(u) && u.request_fields.contains(&field)),
                field,
            })
            .collect();
        let statuses = operation
            .responses
            .iter()
            .map(|r| {
                let on_status =
                    |u: &Usage| on_op(u) && u.status.as_deref() == Some(r.status.as_str());
                let mut paths: BTreeMap<String, ()> = BTreeMap::new();
                for media in &r.content {
                    if let Some(schema) = &media.schema {
                        for path in schema_fields(document.root(), &schema.raw, &schema.location)
                            .into_keys()
                        {
                            paths.insert(path, ());
                        }
                    }
                }
                StatusCoverage {
                    status: r.status.clone(),
                    used_by: users(&on_status),
                    fields: paths
                        .into_keys()
                        .filter(|p| !p.is_empty())
                        .map(|field| FieldCoverage {
                            used_by: users(&|u: &Usage| {
                                on_status(u) && u.response_fields.contains(&field)
                            }),
                            field,
                        })
                        .collect(),
                }
            })
            .collect();
        operations.push(OperationCoverage {
            used_by: users(&on_op),
            operation: label,
            parameters,
            request_fields,
            statuses,
        });
    }
    Coverage {
        operations,
        unrouted,
    }
}
