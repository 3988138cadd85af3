//! Which patterns one file is searched for, and which classifier wins.
//!
//! The classifiers whose globs select a file are gathered into groups (a branch group, or a
//! classifier alone); each group is a list of alternatives in order of preference: every
//! classifier's evidence alternatives, classifiers in table order. All the patterns of all
//! the groups are searched in the same pass ([`super::scan`]). A group's winner is its first
//! alternative whose patterns all matched; a pattern is searched only while some
//! alternative before or at the group's first complete one still needs it, so the pass ends
//! as soon as every group's most trusted alternative has matched.

use std::collections::BTreeMap;
use std::ops::Range;

use super::classifier::{Compiled, Selected};
use super::scan::{Hit, Slot};

/// One evidence alternative of one classifier: the slots it needs.
#[derive(Debug)]
struct Alternative<'a> {
    compiled: &'a Compiled,
    slots: Range<usize>,
}

/// The search for one file.
#[derive(Debug)]
pub(super) struct Plan<'a> {
    pub slots: Vec<Slot<'a>>,
    groups: Vec<Vec<Alternative<'a>>>,
}

/// A group's winner: the classifier, its merged captures and the hit to show as evidence.
#[derive(Debug)]
pub(super) struct Winner<'a, 'h> {
    pub compiled: &'a Compiled,
    pub captures: BTreeMap<&'h str, &'h str>,
    pub evidence: &'h Hit,
}

impl<'a> Plan<'a> {
    /// `selected`: the classifiers that read the file, in table order, each with the version
    /// its path names (if any).
    pub(super) fn new(selected: &'a [Selected<'a>]) -> Self {
        let mut slots = Vec::new();
        let mut keys: Vec<&str> = Vec::new();
        let mut groups: Vec<Vec<Alternative<'a>>> = Vec::new();
        for Selected {
            compiled,
            path_version,
        } in selected
        {
            let index = match keys.iter().position(|k| *k == compiled.group()) {
                Some(index) => index,
                None => {
                    keys.push(compiled.group());
                    groups.push(Vec::new());
                    groups.len() - 1
                }
            };
            for patterns in &compiled.evidence {
                let start = slots.len();
                slots.extend(patterns.iter().map(|regex| Slot {
                    regex,
                    version_prefix: path_version.as_deref(),
                }));
                groups[index].push(Alternative {
                    compiled,
                    slots: start..slots.len(),
                });
            }
        }
        Plan { slots, groups }
    }

    /// Which slots still matter after `hits`: those of every alternative up to and including
    /// each group's first complete one.
    pub(super) fn needed(&self, hits: &[Option<Hit>]) -> Vec<bool> {
        let mut needed = vec![false; self.slots.len()];
        for group in &self.groups {
            for alternative in group {
                let mut complete = true;
                for slot in alternative.slots.clone() {
                    if hits[slot].is_none() {
                        needed[slot] = true;
                        complete = false;
                    }
                }
                if complete {
                    break;
                }
            }
        }
        needed
    }

    /// Each group's first complete alternative, with its captures merged in pattern order.
    pub(super) fn winners<'h>(&self, hits: &'h [Option<Hit>]) -> Vec<Winner<'a, 'h>> {
        let mut winners = Vec::new();
        for group in &self.groups {
            let complete = group
                .iter()
                .find(|alternative| alternative.slots.clone().all(|slot| hits[slot].is_some()));
            let Some(alternative) = complete else {
                continue;
            };
            let found: Vec<&Hit> = hits[alternative.slots.clone()].iter().flatten().collect();
            let mut captures = BTreeMap::new();
            for hit in &found {
                captures.extend(hit.groups.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            }
            // The evidence is the hit that gave the version (`openjdk` alone says little).
            let evidence = found
                .iter()
                .rev()
                .find(|hit| hit.version.is_some())
                .or(found.last());
            if let Some(evidence) = evidence {
                winners.push(Winner {
                    compiled: alternative.compiled,
                    captures,
                    evidence,
                });
            }
        }
        winners
    }
}
