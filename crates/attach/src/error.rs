//! What can go wrong storing or finding artifacts.

use sbomgen_registry::RegistryError;

#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    /// Boxed: registry errors carry several names and would make every `Result` here large.
    #[error(transparent)]
    Registry(Box<RegistryError>),
    /// A manifest we must extend (the `.att` tag) is not what it should be; overwriting it
    /// would destroy someone else's data.
    #[error("{what} is not usable: {reason}")]
    Unusable { what: String, reason: String },
    #[error("{tag} already holds {count} attestations, cosign's limit is {limit}; use --replace or remove old ones")]
    TooManyLayers {
        tag: String,
        count: usize,
        limit: usize,
    },
}

impl From<RegistryError> for AttachError {
    fn from(error: RegistryError) -> Self {
        AttachError::Registry(Box::new(error))
    }
}
