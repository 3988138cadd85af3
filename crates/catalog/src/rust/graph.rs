//! Checks that a package list's dependency graph can be trusted: indices in range, exactly one
//! root, no cycles.
//!
//! cargo-auditable's PARSING.md ("Reconstruct the dependency tree") names the invalid states
//! the format can encode: zero roots, several roots, cycles; `auditable-serde` rejects several
//! roots and cycles outright. Trivy indexes `packages[dep]` unchecked (a malformed index
//! panics). Here a failed check costs only the edges (see [`super::records`]).

use std::fmt;

use super::decode::Package;

/// Why a graph is not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum GraphError {
    /// Package `package` lists `index`, but there are only `len` packages.
    IndexOutOfRange {
        package: usize,
        index: usize,
        len: usize,
    },
    /// `count` packages are marked `root` (one is required).
    Roots { count: usize },
    /// Some packages depend on themselves, directly or not.
    Cycle,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::IndexOutOfRange {
                package,
                index,
                len,
            } => write!(
                f,
                "package {package} depends on package {index}, but there are {len}"
            ),
            GraphError::Roots { count } => {
                write!(f, "{count} root packages, where exactly one is expected")
            }
            GraphError::Cycle => f.write_str("the dependency graph has a cycle"),
        }
    }
}

/// Checks indices first (the other checks rely on them), then roots, then cycles.
pub(super) fn check(packages: &[Package]) -> Result<(), GraphError> {
    let len = packages.len();
    for (package, p) in packages.iter().enumerate() {
        if let Some(&index) = p.dependencies.iter().find(|&&i| i >= len) {
            return Err(GraphError::IndexOutOfRange {
                package,
                index,
                len,
            });
        }
    }
    let count = packages.iter().filter(|p| p.root).count();
    if count != 1 {
        return Err(GraphError::Roots { count });
    }
    if has_cycle(packages) {
        return Err(GraphError::Cycle);
    }
    Ok(())
}

/// Kahn's algorithm: repeatedly remove packages nothing left depends on; whatever remains
/// lies on or behind a cycle. Iterative, so a deep chain cannot overflow the stack.
fn has_cycle(packages: &[Package]) -> bool {
    let mut dependents = vec![0usize; packages.len()];
    for p in packages {
        for &d in &p.dependencies {
            dependents[d] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..packages.len())
        .filter(|&i| dependents[i] == 0)
        .collect();
    let mut removed = 0;
    while let Some(i) = ready.pop() {
        removed += 1;
        for &d in &packages[i].dependencies {
            dependents[d] -= 1;
            if dependents[d] == 0 {
                ready.push(d);
            }
        }
    }
    removed != packages.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Packages `0..n`, `deps[i]` being package i's dependencies; `root` marks the roots.
    fn graph(deps: &[&[usize]], roots: &[usize]) -> Vec<Package> {
        deps.iter()
            .enumerate()
            .map(|(i, d)| Package {
                name: format!("p{i}"),
                version: "1.0.0".into(),
                source: "crates.io".into(),
                kind: None,
                dependencies: d.to_vec(),
                root: roots.contains(&i),
            })
            .collect()
    }

    #[test]
    fn table() {
        use GraphError::*;
        // (dependencies of each package, roots, verdict)
        type Case<'a> = (&'a [&'a [usize]], &'a [usize], Result<(), GraphError>);
        let cases: &[Case<'_>] = &[
            (&[&[]], &[0], Ok(())),
            (&[&[], &[0]], &[1], Ok(())),
            // A diamond, with a duplicate edge.
            (&[&[1, 2, 2], &[3], &[3], &[]], &[0], Ok(())),
            (&[&[], &[0]], &[], Err(Roots { count: 0 })),
            (&[&[], &[0]], &[0, 1], Err(Roots { count: 2 })),
            (&[&[1], &[0]], &[0], Err(Cycle)),
            (&[&[0]], &[0], Err(Cycle)),
            (&[&[1], &[2], &[1]], &[0], Err(Cycle)),
            (
                &[&[], &[0, 7]],
                &[1],
                Err(IndexOutOfRange {
                    package: 1,
                    index: 7,
                    len: 2,
                }),
            ),
            (
                &[&[], &[usize::MAX]],
                &[0, 1],
                Err(IndexOutOfRange {
                    package: 1,
                    index: usize::MAX,
                    len: 2,
                }),
            ),
        ];
        for (deps, roots, want) in cases {
            assert_eq!(
                check(&graph(deps, roots)),
                *want,
                "{deps:?} roots {roots:?}"
            );
        }
    }

    #[test]
    fn a_long_chain_does_not_overflow() {
        let chain: Vec<Vec<usize>> = (0..200_000)
            .map(|i| {
                if i + 1 < 200_000 {
                    vec![i + 1]
                } else {
                    Vec::new()
                }
            })
            .collect();
        let deps: Vec<&[usize]> = chain.iter().map(Vec::as_slice).collect();
        assert_eq!(check(&graph(&deps, &[0])), Ok(()));
    }
}
