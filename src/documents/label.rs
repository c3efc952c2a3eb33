//! The return label: a PDF page (A4, or 100×150 mm for thermal printers) with the case number as a
//! Code128 barcode and a QR code to the case's status page, the order and items, the customer,
//! the shop's return address and packing instructions. Chinese text uses an embedded CJK font
//! (only the glyphs used are written into the PDF).

use std::sync::{Arc, OnceLock};

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};

/// Where a CJK font is looked for, first found wins; `APP_LABEL_FONT` (a path, optionally
/// `path#index` for a font collection) goes first.
const FONT_CANDIDATES: &[(&str, u32)] = &[
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
];

/// The label's paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    A4,
    /// 100 × 150 mm thermal label.
    Thermal,
}

impl Size {
    pub fn parse(text: &str) -> Option<Size> {
        match text {
            "a4" | "A4" => Some(Size::A4),
            "thermal" => Some(Size::Thermal),
            _ => None,
        }
    }

    /// Width and height in points (1/72 inch).
    fn points(self) -> (f32, f32) {
        match self {
            Size::A4 => (595.28, 841.89),
            Size::Thermal => (283.46, 425.2),
        }
    }
}

/// What the label says.
#[derive(Debug, Clone)]
pub struct Label {
    pub shop_name: String,
    pub case_number: String,
    /// The case's status page, encoded in the QR code.
    pub status_url: String,
    pub order_number: String,
    /// (product name, quantity)
    pub items: Vec<(String, i64)>,
    pub customer_name: String,
    pub customer_contact: String,
    /// The shop's return address, or None when the shop has not set one.
    pub return_address: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    #[error(
        "no Chinese font is installed for labels: install Debian's fonts-wqy-microhei or fonts-noto-cjk, or set APP_LABEL_FONT=/path/font.ttc"
    )]
    NoFont,
    #[error("the case number cannot be drawn as Code128: {0}")]
    Barcode(String),
    #[error("the status link cannot be drawn as a QR code: {0}")]
    QrCode(String),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// The font: the configured one (`path#index`, read once) if it loads, else the first system
/// CJK font found.
pub(super) fn font(configured: Option<&str>) -> Result<Font, LabelError> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    FONT.get_or_init(|| {
        let configured = configured.map(|value| match value.rsplit_once('#') {
            Some((path, index)) => (path.to_string(), index.parse().unwrap_or(0)),
            None => (value.to_string(), 0),
        });
        configured
            .into_iter()
            .chain(
                FONT_CANDIDATES
                    .iter()
                    .map(|(path, index)| (path.to_string(), *index)),
            )
            .find_map(|(path, index)| {
                let data = std::fs::read(&path).ok()?;
                Font::new(Arc::new(data).into(), index)
            })
    })
    .clone()
    .ok_or(LabelError::NoFont)
}

/// Whether labels can be drawn: the configured font (`/path/font.ttc#index`) or one of the
/// system CJK fonts is there.
pub fn font_found(configured: Option<&str>) -> bool {
    font(configured).is_ok()
}

/// Cuts a line to what fits in `width` points at `font_size`, marking the cut. Widths are
/// estimated: a CJK character is one em, anything else about 0.55 em.
pub(super) fn fit(text: &str, font_size: f32, width: f32) -> String {
    let advance = |character: char| if (character as u32) < 0x2E80 { 0.55 } else { 1.0 } * font_size;
    if text.chars().map(advance).sum::<f32>() <= width {
        return text.to_string();
    }
    let mut used = advance('…');
    let mut cut = String::new();
    for character in text.chars() {
        used += advance(character);
        if used > width {
            break;
        }
        cut.push(character);
    }
    cut.push('…');
    cut
}

/// Breaks a text into lines that fit in `width` points (at most `limit` lines, the last cut).
pub(super) fn wrap(text: &str, font_size: f32, width: f32, limit: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = text.to_string();
    while !rest.is_empty() && lines.len() < limit {
        let line = fit(&rest, font_size, width);
        if line == rest || lines.len() + 1 == limit {
            lines.push(line);
            break;
        }
        let kept = line.trim_end_matches('…').to_string();
        rest = rest[kept.len()..].trim_start().to_string();
        lines.push(kept);
    }
    lines
}

/// Renders the label as PDF bytes.
pub fn render(label: &Label, size: Size, font_file: Option<&str>) -> Result<Vec<u8>, LabelError> {
    let font = font(font_file)?;
    let (width, height) = size.points();
    let scale = width / 595.28;
    let margin = 36.0 * scale.max(0.6);
    let mut document = Document::new();
    let mut page = document.start_page_with(
        PageSettings::from_wh(width, height).ok_or_else(|| LabelError::Pdf("page size".into()))?,
    );
    let mut surface = page.surface();
    let mut y = margin;
    let line = |surface: &mut krilla::surface::Surface, text: &str, font_size: f32, y: &mut f32| {
        *y += font_size * 1.35;
        surface.draw_text(
            Point::from_xy(margin, *y),
            font.clone(),
            font_size,
            text,
            false,
            TextDirection::Auto,
        );
    };
    let big = (20.0 * scale).max(12.0);
    let normal = (11.0 * scale).max(7.5);
    let room = width - 2.0 * margin;
    line(
        &mut surface,
        &fit(
            &format!("{} · 退货标签 Return label", label.shop_name),
            big,
            room,
        ),
        big,
        &mut y,
    );
    line(
        &mut surface,
        &format!("售后单号 Case: {}", label.case_number),
        normal * 1.2,
        &mut y,
    );
    y += 8.0 * scale.max(0.6);

    // Code128 of the case number, with quiet zones on both sides.
    let code = barcoders::sym::code128::Code128::new(format!("Ɓ{}", label.case_number))
        .map_err(|error| LabelError::Barcode(error.to_string()))?;
    let modules = code.encode();
    let qr = qrcode::QrCode::new(label.status_url.as_bytes())
        .map_err(|error| LabelError::QrCode(error.to_string()))?;
    let qr_width = qr.width();
    let barcode_width = (width - 2.0 * margin) * if size == Size::A4 { 0.6 } else { 1.0 };
    let module = barcode_width / modules.len() as f32;
    let bar_height = 60.0 * scale.max(0.7);
    let mut bars = PathBuilder::new();
    let dark_modules = modules.iter().enumerate().filter(|(_, bar)| **bar == 1);
    for (index, _) in dark_modules {
        if let Some(rect) = Rect::from_xywh(margin + index as f32 * module, y, module, bar_height) {
            bars.push_rect(rect);
        }
    }
    // The QR code: beside the barcode on A4, below it on a thermal label.
    let cell = if size == Size::A4 { 120.0 } else { 90.0 } / qr_width as f32;
    let (qr_x, qr_y) = if size == Size::A4 {
        (width - margin - cell * qr_width as f32, y - 20.0)
    } else {
        (margin, y + bar_height + 14.0)
    };
    let colors = qr.to_colors();
    let dark_cells = colors
        .iter()
        .enumerate()
        .filter(|(_, color)| **color == qrcode::Color::Dark);
    for (index, _) in dark_cells {
        let (x, row) = (index % qr_width, index / qr_width);
        if let Some(rect) =
            Rect::from_xywh(qr_x + x as f32 * cell, qr_y + row as f32 * cell, cell, cell)
        {
            bars.push_rect(rect);
        }
    }
    if let Some(path) = bars.finish() {
        surface.draw_path(&path);
    }
    y = if size == Size::A4 {
        y + bar_height.max(110.0)
    } else {
        qr_y + cell * qr_width as f32 + 4.0
    };
    line(
        &mut surface,
        &format!("扫码查看进度 Scan for status · {}", label.case_number),
        normal * 0.85,
        &mut y,
    );
    y += 6.0;
    line(
        &mut surface,
        &format!("订单号 Order: {}", label.order_number),
        normal,
        &mut y,
    );
    for (name, quantity) in label
        .items
        .iter()
        .take(if size == Size::A4 { 12 } else { 4 })
    {
        line(
            &mut surface,
            &fit(&format!("  · {name} × {quantity}"), normal, room),
            normal,
            &mut y,
        );
    }
    line(
        &mut surface,
        &fit(
            &format!(
                "寄件人 From: {} {}",
                label.customer_name, label.customer_contact
            ),
            normal,
            room,
        ),
        normal,
        &mut y,
    );
    let address = label
        .return_address
        .clone()
        .unwrap_or_else(|| "请联系客服获取退货地址 Ask the shop for the return address".into());
    for text in wrap(&format!("退货地址 Return to: {address}"), normal, room, 3) {
        line(&mut surface, &text, normal, &mut y);
    }
    y += 4.0;
    for instruction in [
        "请将商品、配件、赠品一并装好，把本标签贴在包裹外或随箱放入。",
        "Pack the goods with all accessories and gifts; stick this label on the parcel or put it inside.",
        "寄出后请在售后页面填写快递单号。 After shipping, add the tracking number on the status page.",
    ] {
        for text in wrap(instruction, normal * 0.85, room, 2) {
            line(&mut surface, &text, normal * 0.85, &mut y);
        }
    }
    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|error| LabelError::Pdf(format!("{error:?}")))
}
