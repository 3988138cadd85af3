//! A small zip writer for tests: stored or deflated entries, zip64 records, a prefix before
//! the zip, and local headers that lie — what real tools will not write.

use std::io::Write;

use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};

/// One entry to write.
#[derive(Debug, Clone, Default)]
pub(crate) struct Spec {
    pub name: String,
    pub data: Vec<u8>,
    pub deflate: bool,
    /// A different name in the local header only.
    pub local_name: Option<String>,
    /// A different method in the local header only.
    pub local_method: Option<u16>,
    /// A different uncompressed size in the central directory only.
    pub declared_size: Option<u64>,
}

/// A zip under construction.
#[derive(Debug, Clone, Default)]
pub(crate) struct ZipBuilder {
    entries: Vec<Spec>,
    zip64: bool,
    prefix: Vec<u8>,
}

impl ZipBuilder {
    pub(crate) fn new() -> Self {
        ZipBuilder::default()
    }

    pub(crate) fn stored(self, name: &str, data: &[u8]) -> Self {
        self.entry(Spec {
            name: name.into(),
            data: data.to_vec(),
            ..Spec::default()
        })
    }

    pub(crate) fn deflated(self, name: &str, data: &[u8]) -> Self {
        self.entry(Spec {
            name: name.into(),
            data: data.to_vec(),
            deflate: true,
            ..Spec::default()
        })
    }

    pub(crate) fn entry(mut self, spec: Spec) -> Self {
        self.entries.push(spec);
        self
    }

    /// Writes every size and offset through zip64 records.
    pub(crate) fn zip64(mut self) -> Self {
        self.zip64 = true;
        self
    }

    /// Bytes before the zip (a launch script); offsets stay relative to the zip's start.
    pub(crate) fn prefix(mut self, bytes: &[u8]) -> Self {
        self.prefix = bytes.to_vec();
        self
    }

    pub(crate) fn build(&self) -> Vec<u8> {
        let mut zip = Vec::new();
        let mut central = Vec::new();
        for spec in &self.entries {
            let offset = zip.len() as u64;
            let data = if spec.deflate {
                let mut enc = DeflateEncoder::new(Vec::new(), Compression::fast());
                enc.write_all(&spec.data).unwrap();
                enc.finish().unwrap()
            } else {
                spec.data.clone()
            };
            let mut crc = Crc::new();
            crc.update(&spec.data);
            let method: u16 = if spec.deflate { 8 } else { 0 };
            let size = spec.declared_size.unwrap_or(spec.data.len() as u64);
            let (csize, usize_) = (data.len() as u64, spec.data.len() as u64);
            let local_name = spec.local_name.as_deref().unwrap_or(&spec.name);
            let wide = |v: u64| {
                if self.zip64 {
                    0xFFFF_FFFF
                } else {
                    u32::try_from(v).expect("a zip32 field: use zip64 above 4 GiB")
                }
            };
            let mut local_extra = Vec::new();
            let mut central_extra = Vec::new();
            if self.zip64 {
                push_extra(&mut local_extra, &[usize_, csize]);
                push_extra(&mut central_extra, &[size, csize, offset]);
            }
            // Local header.
            zip.extend(0x0403_4b50u32.to_le_bytes());
            zip.extend(45u16.to_le_bytes());
            zip.extend(0x0800u16.to_le_bytes());
            zip.extend(spec.local_method.unwrap_or(method).to_le_bytes());
            zip.extend([0u8; 4]);
            zip.extend(crc.sum().to_le_bytes());
            zip.extend(wide(csize).to_le_bytes());
            zip.extend(wide(usize_).to_le_bytes());
            zip.extend(u16_of(local_name.len()).to_le_bytes());
            zip.extend(u16_of(local_extra.len()).to_le_bytes());
            zip.extend(local_name.as_bytes());
            zip.extend(&local_extra);
            zip.extend(&data);
            // Central directory entry.
            central.extend(0x0201_4b50u32.to_le_bytes());
            central.extend(45u16.to_le_bytes());
            central.extend(45u16.to_le_bytes());
            central.extend(0x0800u16.to_le_bytes());
            central.extend(method.to_le_bytes());
            central.extend([0u8; 4]);
            central.extend(crc.sum().to_le_bytes());
            central.extend(wide(csize).to_le_bytes());
            central.extend(wide(size).to_le_bytes());
            central.extend(u16_of(spec.name.len()).to_le_bytes());
            central.extend(u16_of(central_extra.len()).to_le_bytes());
            // Comment length, disk, internal and external attributes.
            central.extend([0u8; 10]);
            central.extend(wide(offset).to_le_bytes());
            central.extend(spec.name.as_bytes());
            central.extend(&central_extra);
        }
        let cd_offset = zip.len() as u64;
        let cd_size = central.len() as u64;
        let count = self.entries.len() as u64;
        zip.extend(&central);
        if self.zip64 {
            let record = zip.len() as u64;
            zip.extend(0x0606_4b50u32.to_le_bytes());
            zip.extend(44u64.to_le_bytes());
            zip.extend(45u16.to_le_bytes());
            zip.extend(45u16.to_le_bytes());
            zip.extend([0u8; 8]);
            zip.extend(count.to_le_bytes());
            zip.extend(count.to_le_bytes());
            zip.extend(cd_size.to_le_bytes());
            zip.extend(cd_offset.to_le_bytes());
            zip.extend(0x0706_4b50u32.to_le_bytes());
            zip.extend(0u32.to_le_bytes());
            zip.extend(record.to_le_bytes());
            zip.extend(1u32.to_le_bytes());
        }
        let (count16, size32, offset32) = if self.zip64 {
            (0xFFFF, 0xFFFF_FFFF, 0xFFFF_FFFF)
        } else {
            (
                u16::try_from(count).expect("a zip32 entry count"),
                u32::try_from(cd_size).expect("a zip32 directory size"),
                u32::try_from(cd_offset).expect("a zip32 directory offset"),
            )
        };
        zip.extend(0x0605_4b50u32.to_le_bytes());
        zip.extend([0u8; 4]);
        zip.extend(count16.to_le_bytes());
        zip.extend(count16.to_le_bytes());
        zip.extend(size32.to_le_bytes());
        zip.extend(offset32.to_le_bytes());
        zip.extend(0u16.to_le_bytes());
        let mut out = self.prefix.clone();
        out.extend(zip);
        out
    }
}

/// A name or extra-field length, or a broken test.
fn u16_of(n: usize) -> u16 {
    u16::try_from(n).expect("a zip header field")
}

fn push_extra(extra: &mut Vec<u8>, values: &[u64]) {
    extra.extend(1u16.to_le_bytes());
    extra.extend(u16_of(values.len() * 8).to_le_bytes());
    for v in values {
        extra.extend(v.to_le_bytes());
    }
}

/// `name` as a zip holding `inner` at `entry`, for nesting.
pub(super) fn wrap(entry: &str, inner: &[u8], pom: Option<(&str, &str, &str)>) -> Vec<u8> {
    let mut zip = ZipBuilder::new();
    if let Some((g, a, v)) = pom {
        zip = zip.deflated(
            &format!("META-INF/maven/{g}/{a}/pom.properties"),
            format!("groupId={g}\nartifactId={a}\nversion={v}\n").as_bytes(),
        );
    }
    zip.stored(entry, inner).build()
}
