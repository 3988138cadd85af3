//! Lists that keep first-seen order without repeats, in linear time: dependency lists come from
//! package databases an image author controls, and a stanza naming 100,000 dependencies must
//! not cost a quadratic scan of the list so far for each one.

use std::collections::HashSet;

/// Appends the items of `items` not already in `list` (nor earlier in `items`), in order.
pub(crate) fn extend_unique<I, S>(list: &mut Vec<String>, items: I)
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut seen: HashSet<String> = list.iter().cloned().collect();
    for item in items {
        let item = item.as_ref();
        if !seen.contains(item) {
            seen.insert(item.to_string());
            list.push(item.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_first_seen_order_without_repeats() {
        let mut list = vec!["b".to_string()];
        extend_unique(&mut list, ["a", "b", "c", "a"]);
        assert_eq!(list, ["b", "a", "c"]);
    }

    #[test]
    fn a_hundred_thousand_names_stay_linear() {
        let names: Vec<String> = (0..100_000).map(|i| format!("lib{}", i % 50_000)).collect();
        let mut list = Vec::new();
        extend_unique(&mut list, &names);
        assert_eq!(list.len(), 50_000);
    }
}
