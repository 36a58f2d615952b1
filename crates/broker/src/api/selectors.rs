//! Lists of selectors in a question (`/matrix`'s `q[]`, pacts-for-verification's
//! `consumerVersionSelectors`): each distinct selector is kept once, with the position the
//! request first gave it (messages name `q[3]`, not its place after duplicates were dropped),
//! and there may be at most a fixed number of distinct ones.
//!
//! A repeated selector asks nothing new; answering it again only multiplies the work (and, in
//! the matrix, the rows), which is how 300 repeated pairs once took a gigabyte.

use std::collections::HashSet;
use std::hash::Hash;

use crate::hal::{ApiError, ApiResult};

/// Distinct selectors in request order, each with its first position.
pub(super) struct Distinct<T> {
    seen: HashSet<T>,
    items: Vec<(usize, T)>,
    max: usize,
    field: &'static str,
    narrow: &'static str,
}

impl<T: Eq + Hash + Clone> Distinct<T> {
    /// At most `max` distinct selectors in the request member `field`; `narrow` says how to ask
    /// with fewer.
    pub(super) fn new(field: &'static str, max: usize, narrow: &'static str) -> Self {
        Distinct {
            seen: HashSet::new(),
            items: Vec::new(),
            max,
            field,
            narrow,
        }
    }

    /// Adds the selector at `position`, unless an identical one came before.
    pub(super) fn push(&mut self, position: usize, item: T) -> ApiResult<()> {
        if self.seen.contains(&item) {
            return Ok(());
        }
        if self.items.len() == self.max {
            return Err(ApiError::invalid(
                self.field,
                format!(
                    "at most {} distinct selectors are allowed, and {} names more; {}",
                    self.max, self.field, self.narrow
                ),
            ));
        }
        self.seen.insert(item.clone());
        self.items.push((position, item));
        Ok(())
    }

    /// The distinct selectors, in the order the request first gave them.
    pub(super) fn into_items(self) -> Vec<(usize, T)> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_dropped_and_positions_kept() {
        let mut distinct = Distinct::new("q", 3, "ask fewer");
        for (position, item) in ["a", "b", "a", "c", "b", "c"].into_iter().enumerate() {
            distinct.push(position, item).unwrap();
        }
        assert_eq!(distinct.into_items(), vec![(0, "a"), (1, "b"), (3, "c")]);
    }

    #[test]
    fn one_more_distinct_selector_than_allowed_is_refused_naming_the_limit() {
        let mut distinct = Distinct::new("q", 2, "ask fewer");
        distinct.push(0, 1).unwrap();
        distinct.push(1, 2).unwrap();
        distinct.push(2, 1).unwrap();
        let error = format!("{:?}", distinct.push(3, 3).unwrap_err());
        assert!(error.contains("at most 2 distinct selectors"), "{error}");
        assert!(error.contains("ask fewer"), "{error}");
    }
}
