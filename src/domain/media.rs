//! Photos and videos a customer uploads: what they are, judged from their bytes (never from the
//! name or the browser's word), whether they are within the limits, and the same photo without
//! where it was taken (EXIF GPS, XMP) before it is stored.

/// A photo may be this large.
pub const PHOTO_LIMIT_BYTES: usize = 10 * 1024 * 1024;
/// A video may be this large.
pub const VIDEO_LIMIT_BYTES: usize = 30 * 1024 * 1024;
/// Files per upload.
pub const FILES_LIMIT: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Photo,
    Video,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Photo => "photo",
            MediaKind::Video => "video",
        }
    }

    pub fn limit_bytes(self) -> usize {
        match self {
            MediaKind::Photo => PHOTO_LIMIT_BYTES,
            MediaKind::Video => VIDEO_LIMIT_BYTES,
        }
    }
}

/// What a file's bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Media {
    pub kind: MediaKind,
    pub content_type: &'static str,
}

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a JPEG, PNG, WebP, MP4, QuickTime or WebM file, whatever its name says.
    UnknownType,
    /// A known type, but larger than its limit.
    TooLarge { kind: MediaKind, limit_bytes: usize },
    /// A photo whose structure is broken (e.g. a JPEG cut short).
    Damaged,
}

/// Judges a file by its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<Media> {
    let photo = |content_type| Media {
        kind: MediaKind::Photo,
        content_type,
    };
    let video = |content_type| Media {
        kind: MediaKind::Video,
        content_type,
    };
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(photo("image/jpeg"));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(photo("image/png"));
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(photo("image/webp"));
    }
    if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return Some(video("video/webm"));
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return match &bytes[8..12] {
            b"qt  " => Some(video("video/quicktime")),
            b"isom" | b"iso2" | b"iso4" | b"iso5" | b"iso6" | b"mp41" | b"mp42" | b"avc1"
            | b"M4V " | b"dash" | b"3gp4" | b"3gp5" => Some(video("video/mp4")),
            _ => None,
        };
    }
    None
}

/// Checks a file and returns what to store: its type and, for photos, the bytes without
/// location metadata.
pub fn accept(bytes: &[u8]) -> Result<(Media, Vec<u8>), Refusal> {
    let media = sniff(bytes).ok_or(Refusal::UnknownType)?;
    if bytes.len() > media.kind.limit_bytes() {
        return Err(Refusal::TooLarge {
            kind: media.kind,
            limit_bytes: media.kind.limit_bytes(),
        });
    }
    let cleaned = match media.content_type {
        "image/jpeg" => jpeg_without_location(bytes).ok_or(Refusal::Damaged)?,
        "image/png" => png_without_location(bytes).ok_or(Refusal::Damaged)?,
        "image/webp" => webp_without_location(bytes).ok_or(Refusal::Damaged)?,
        _ => bytes.to_vec(),
    };
    Ok((media, cleaned))
}

const XMP_HEADER: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const EXIF_HEADER: &[u8] = b"Exif\0\0";

/// The JPEG with its EXIF GPS data removed and its XMP packets dropped; `None` when the segment
/// structure before the image data is broken.
pub fn jpeg_without_location(bytes: &[u8]) -> Option<Vec<u8>> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut output = Vec::with_capacity(bytes.len());
    output.extend_from_slice(&[0xFF, 0xD8]);
    let mut at = 2;
    loop {
        // Fill bytes (0xFF) may pad between segments.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        match marker {
            // Start of scan or end of image: the rest is image data, copied as it is.
            0xDA | 0xD9 => {
                output.extend_from_slice(&bytes[at..]);
                return Some(output);
            }
            // Markers without a length.
            0x01 | 0xD0..=0xD7 => {
                output.extend_from_slice(&bytes[at..at + 2]);
                at += 2;
                continue;
            }
            _ => {}
        }
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        if length < 2 {
            return None;
        }
        let end = at + 2 + length;
        let segment = bytes.get(at..end)?;
        let body = &segment[4..];
        if marker == 0xE1 && body.starts_with(XMP_HEADER) {
            // XMP may repeat the location (exif:GPSLatitude); the packet goes.
        } else if marker == 0xE1 && body.starts_with(EXIF_HEADER) {
            let mut segment = segment.to_vec();
            // A TIFF structure we cannot read is dropped whole rather than kept with a location.
            if remove_gps(&mut segment[4 + EXIF_HEADER.len()..]).is_some() {
                output.extend_from_slice(&segment);
            }
        } else {
            output.extend_from_slice(segment);
        }
        at = end;
    }
}

/// Byte order of a TIFF structure.
#[derive(Clone, Copy)]
struct Tiff {
    little: bool,
}

impl Tiff {
    fn u16(self, data: &[u8], at: usize) -> Option<u16> {
        let pair = [*data.get(at)?, *data.get(at + 1)?];
        Some(if self.little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        })
    }

    fn u32(self, data: &[u8], at: usize) -> Option<u32> {
        let quad = [
            *data.get(at)?,
            *data.get(at + 1)?,
            *data.get(at + 2)?,
            *data.get(at + 3)?,
        ];
        Some(if self.little {
            u32::from_le_bytes(quad)
        } else {
            u32::from_be_bytes(quad)
        })
    }

    fn put_u16(self, data: &mut [u8], at: usize, value: u16) {
        let bytes = if self.little {
            value.to_le_bytes()
        } else {
            value.to_be_bytes()
        };
        data[at..at + 2].copy_from_slice(&bytes);
    }
}

const GPS_POINTER: u16 = 0x8825;

/// Size in bytes of one value of a TIFF field type.
fn type_size(field_type: u16) -> usize {
    match field_type {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 => 8,
        _ => 1,
    }
}

/// Blanks the GPS directory of a TIFF structure (its entries and the values they point to) and
/// takes its pointer out of the first directory. `None` if the structure cannot be read.
fn remove_gps(tiff: &mut [u8]) -> Option<()> {
    let order = match tiff.get(..2)? {
        b"II" => Tiff { little: true },
        b"MM" => Tiff { little: false },
        _ => return None,
    };
    if order.u16(tiff, 2)? != 42 {
        return None;
    }
    let first = usize::try_from(order.u32(tiff, 4)?).ok()?;
    let count = usize::from(order.u16(tiff, first)?);
    let entries = first + 2;
    let directory_end = entries + count * 12 + 4;
    if directory_end > tiff.len() {
        return None;
    }
    let Some(index) =
        (0..count).find(|index| order.u16(tiff, entries + index * 12) == Some(GPS_POINTER))
    else {
        return Some(());
    };
    let gps = usize::try_from(order.u32(tiff, entries + index * 12 + 8)?).ok()?;
    // The pointer leaves the first directory: later entries and the next-directory offset move up.
    let entry = entries + index * 12;
    tiff.copy_within(entry + 12..directory_end, entry);
    tiff[directory_end - 12..directory_end].fill(0);
    order.put_u16(tiff, first, u16::try_from(count - 1).ok()?);
    // The GPS directory itself, and every value stored outside it, become zeros.
    let gps_count = usize::from(order.u16(tiff, gps).unwrap_or(0));
    for index in 0..gps_count {
        let at = gps + 2 + index * 12;
        let (Some(field_type), Some(values)) = (order.u16(tiff, at + 2), order.u32(tiff, at + 4))
        else {
            break;
        };
        let size = type_size(field_type).saturating_mul(usize::try_from(values).ok()?);
        if size > 4
            && let Some(offset) = order.u32(tiff, at + 8)
        {
            let offset = usize::try_from(offset).ok()?;
            if let Some(data) = tiff.get_mut(offset..offset.saturating_add(size)) {
                data.fill(0);
            }
        }
        if let Some(data) = tiff.get_mut(at..at + 12) {
            data.fill(0);
        }
    }
    if let Some(data) = tiff.get_mut(gps..gps + 2) {
        data.fill(0);
    }
    Some(())
}

/// The PNG without its eXIf chunk and XMP text; `None` if the chunks cannot be read.
pub fn png_without_location(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut output = bytes.get(..8)?.to_vec();
    let mut at = 8;
    while at < bytes.len() {
        let length =
            usize::try_from(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?)).ok()?;
        let end = at.checked_add(12)?.checked_add(length)?;
        let chunk = bytes.get(at..end)?;
        let kind = &chunk[4..8];
        let data = &chunk[8..8 + length];
        let is_xmp = kind == b"iTXt" && data.starts_with(b"XML:com.adobe.xmp\0");
        if kind != b"eXIf" && !is_xmp {
            output.extend_from_slice(chunk);
        }
        at = end;
        if kind == b"IEND" {
            break;
        }
    }
    Some(output)
}

/// The WebP without its EXIF and XMP chunks; `None` if the chunks cannot be read.
pub fn webp_without_location(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::with_capacity(bytes.len());
    let mut at = 12;
    while at < bytes.len() {
        let length = usize::try_from(u32::from_le_bytes(
            bytes.get(at + 4..at + 8)?.try_into().ok()?,
        ))
        .ok()?;
        let padded = length + (length & 1);
        let end = (at + 8 + padded).min(bytes.len());
        let chunk = bytes.get(at..end)?;
        match &chunk[..4] {
            b"EXIF" | b"XMP " => {}
            b"VP8X" => {
                let mut chunk = chunk.to_vec();
                // Flags: XMP (0x04) and EXIF (0x08) are no longer present.
                if let Some(flags) = chunk.get_mut(8) {
                    *flags &= !0x0C;
                }
                body.extend_from_slice(&chunk);
            }
            _ => body.extend_from_slice(chunk),
        }
        at = end;
    }
    let mut output = Vec::with_capacity(body.len() + 12);
    output.extend_from_slice(b"RIFF");
    output.extend_from_slice(&u32::try_from(body.len() + 4).ok()?.to_le_bytes());
    output.extend_from_slice(b"WEBP");
    output.extend_from_slice(&body);
    Some(output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A TIFF (little-endian) whose first directory holds Make and the GPS pointer, and a GPS
    /// directory with a latitude (three rationals stored outside the entry).
    fn exif_with_gps() -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"II");
        tiff.extend_from_slice(&42u16.to_le_bytes());
        tiff.extend_from_slice(&8u32.to_le_bytes());
        // IFD0 at 8: two entries.
        tiff.extend_from_slice(&2u16.to_le_bytes());
        // Make (0x010F), ASCII, 4 bytes inline: "Cam\0".
        tiff.extend_from_slice(&0x010Fu16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&4u32.to_le_bytes());
        tiff.extend_from_slice(b"Cam\0");
        // GPS pointer → 38.
        tiff.extend_from_slice(&GPS_POINTER.to_le_bytes());
        tiff.extend_from_slice(&4u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&38u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(tiff.len(), 38);
        // GPS IFD at 38: one entry, GPSLatitude (2), RATIONAL, 3 values at 56.
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&5u16.to_le_bytes());
        tiff.extend_from_slice(&3u32.to_le_bytes());
        tiff.extend_from_slice(&56u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(tiff.len(), 56);
        for value in [31u32, 1, 14, 1, 2222, 100] {
            tiff.extend_from_slice(&value.to_le_bytes());
        }
        tiff
    }

    fn jpeg_with(exif: &[u8]) -> Vec<u8> {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        let length = u16::try_from(2 + EXIF_HEADER.len() + exif.len()).unwrap();
        jpeg.extend_from_slice(&length.to_be_bytes());
        jpeg.extend_from_slice(EXIF_HEADER);
        jpeg.extend_from_slice(exif);
        // An XMP packet with the location too.
        let xmp = b"<x:xmpmeta exif:GPSLatitude=\"31,14.2222N\"/>";
        jpeg.extend_from_slice(&[0xFF, 0xE1]);
        let length = u16::try_from(2 + XMP_HEADER.len() + xmp.len()).unwrap();
        jpeg.extend_from_slice(&length.to_be_bytes());
        jpeg.extend_from_slice(XMP_HEADER);
        jpeg.extend_from_slice(xmp);
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]);
        jpeg
    }

    #[test]
    fn jpeg_loses_its_location_and_keeps_the_rest() {
        let original = jpeg_with(&exif_with_gps());
        let cleaned = jpeg_without_location(&original).expect("readable");
        let exif_at = cleaned.windows(6).position(|w| w == EXIF_HEADER).unwrap() + 6;
        let tiff = &cleaned[exif_at..];
        // Make is still there; the first directory now has one entry and no GPS pointer.
        assert_eq!(u16::from_le_bytes([tiff[8], tiff[9]]), 1);
        assert_eq!(&tiff[18..22], b"Cam\0");
        assert!(!tiff.windows(2).any(|w| w == GPS_POINTER.to_le_bytes()));
        // The latitude's numbers are gone, and so is the XMP packet.
        assert!(!cleaned.windows(4).any(|w| w == 2222u32.to_le_bytes()));
        assert!(!cleaned.windows(11).any(|w| w == b"GPSLatitude"));
        // The image data is untouched.
        assert!(cleaned.ends_with(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]));
        assert_eq!(sniff(&cleaned).unwrap().content_type, "image/jpeg");
    }

    #[test]
    fn files_are_judged_by_their_bytes() {
        assert_eq!(sniff(b"hello, I am a JPEG"), None);
        assert_eq!(
            accept(b"<html>not a photo</html>"),
            Err(Refusal::UnknownType)
        );
        let mut mp4 = vec![0, 0, 0, 24];
        mp4.extend_from_slice(b"ftypisom");
        mp4.extend_from_slice(&[0; 12]);
        assert_eq!(sniff(&mp4).unwrap().kind, MediaKind::Video);
        let mut big = vec![0xFF, 0xD8, 0xFF, 0xD9];
        big.resize(PHOTO_LIMIT_BYTES + 1, 0);
        assert_eq!(
            accept(&big),
            Err(Refusal::TooLarge {
                kind: MediaKind::Photo,
                limit_bytes: PHOTO_LIMIT_BYTES
            })
        );
        // A JPEG cut short inside a segment is refused as damaged.
        assert_eq!(
            accept(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A]),
            Err(Refusal::Damaged)
        );
    }

    #[test]
    fn png_and_webp_lose_their_metadata_chunks() {
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut chunk = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
            chunk.extend_from_slice(kind);
            chunk.extend_from_slice(data);
            chunk.extend_from_slice(&[0; 4]);
            chunk
        };
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"eXIf", &exif_with_gps()));
        png.extend(chunk(b"IDAT", &[1, 2, 3]));
        png.extend(chunk(b"IEND", &[]));
        let cleaned = png_without_location(&png).unwrap();
        assert!(!cleaned.windows(4).any(|w| w == b"eXIf"));
        assert!(cleaned.windows(4).any(|w| w == b"IDAT"));

        let riff_chunk = |kind: &[u8], data: &[u8]| {
            let mut chunk = kind.to_vec();
            chunk.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
            chunk.extend_from_slice(data);
            if data.len() % 2 == 1 {
                chunk.push(0);
            }
            chunk
        };
        let mut body = riff_chunk(b"VP8X", &[0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        body.extend(riff_chunk(b"VP8 ", &[1, 2, 3]));
        body.extend(riff_chunk(b"EXIF", &exif_with_gps()));
        let mut webp = b"RIFF".to_vec();
        webp.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_le_bytes());
        webp.extend_from_slice(b"WEBP");
        webp.extend(body);
        let cleaned = webp_without_location(&webp).unwrap();
        assert!(!cleaned.windows(4).any(|w| w == b"EXIF"));
        assert_eq!(cleaned[20] & 0x0C, 0);
        let size = u32::from_le_bytes(cleaned[4..8].try_into().unwrap());
        assert_eq!(size as usize, cleaned.len() - 8);
    }

    proptest! {
        #[test]
        fn any_bytes_are_judged_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut jpeg = vec![0xFF, 0xD8, 0xFF];
            jpeg.extend_from_slice(&bytes);
            let _ = accept(&jpeg);
            let mut exif = jpeg_with(&bytes);
            exif.truncate(exif.len().saturating_sub(bytes.len() / 3));
            let _ = accept(&exif);
            let _ = accept(&bytes);
        }
    }
}
