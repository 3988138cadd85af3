//! Per-layer analysis cache: a re-scan of a layer costs a lookup, not a download and a read.
//!
//! A layer's analysis (a [`sbomgen_layer::LayerReport`]: file index, whiteouts, kept bytes,
//! parsed findings, digests and warnings) depends only on the layer's content and on what
//! the scan asked for, so images that share base layers share their analyses. [`KeyContext`]
//! turns those inputs into keys, [`encode`]/[`decode`] turn reports into checksummed, versioned
//! entries, a [`Store`] keeps them ([`LocalStore`] by default, [`RedisStore`] for fleets), and
//! [`LayerCache`] puts the three together for the scan, turning every failure into a warning.
//! The [`policy`] module keeps the local layer and blob caches under one size cap.
//! [`ResultCache`] keeps whole image results in the same store, under keys the scan makes
//! with [`Fields`], so an unchanged image is not even merged again.
//!
//! Neighbours: `sbomgen-layer` produces reports, `sbomgen-scan` consults the cache per layer,
//! the CLI picks the backend (`--cache-backend`) and runs `sbomgen cache …`.
//!
//! ```
//! use std::sync::Arc;
//! use sbomgen_cache::{Classes, KeyContext, LayerCache, LayerId, LocalStore};
//! use sbomgen_layer::{LayerReport, Limits};
//! use sbomgen_model::Digest;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let context = KeyContext::new(&["dpkg"], false, &Limits::default());
//! let cache = LayerCache::new(Arc::new(LocalStore::new(dir.path())), context, Classes::default());
//! let (diff_id, blob) = (Digest::sha256_from_bytes(&[1; 32]), Digest::sha256_from_bytes(&[2; 32]));
//! let key = cache.key(&LayerId { diff_id: &diff_id, digest: &blob, media_type: None });
//! assert!(cache.get(&key).report.is_none());
//! cache.put(&key, &LayerReport::default());
//! assert_eq!(cache.get(&key).report, Some(LayerReport::default()));
//! ```

mod backend;
mod codec;
mod error;
mod key;
mod layers;
mod local;
pub mod policy;
mod redis;
mod results;
mod store;

pub use backend::{redact_url, Backend};
pub use codec::{decode, encode, Classes, FORMAT_VERSION};
pub use error::CacheError;
pub use key::{analyser_version, Fields, KeyContext, LayerId, ANALYSIS_VERSION};
pub use layers::{LayerCache, Lookup};
pub use local::LocalStore;
pub use redis::{RedisOptions, RedisStore};
pub use results::{ResultCache, ResultLookup, RESULT_FORMAT_VERSION};
pub use store::Store;
