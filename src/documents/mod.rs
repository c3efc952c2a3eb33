//! Documents the app prints: the return label (PDF with a Code128 barcode and a QR code) and a
//! dispute's evidence pack (PDF).

pub mod evidence;
pub mod label;
