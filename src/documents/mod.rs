//! Documents the app prints: the return label (PDF with a Code128 barcode and a QR code).

pub mod label;
