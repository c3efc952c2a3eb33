//! A dispute's evidence pack as one PDF (A4, as many pages as it takes): headed sections of
//! text lines and photos, in Chinese with English beside it, the CJK font embedded as on the
//! label. The text is laid out first into pages of drawings, then each page is drawn.

use std::sync::Arc;

use krilla::Document;
use krilla::geom::{Point, Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};

use super::label::{LabelError, font, wrap};

/// One line of a section.
pub enum Line {
    /// Text, broken into as many lines as it needs.
    Text(String),
    /// Smaller text (details under an entry).
    Small(String),
    /// A photo with its caption; bytes as stored (JPEG, PNG, WebP or GIF).
    Photo { bytes: Vec<u8>, caption: String },
}

pub struct Section {
    pub title: String,
    pub lines: Vec<Line>,
}

pub struct Pack {
    pub title: String,
    /// Under the title: the dispute and the case in a few lines.
    pub heading: Vec<String>,
    pub sections: Vec<Section>,
}

const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
const MARGIN: f32 = 48.0;
const PHOTO_HEIGHT: f32 = 260.0;

enum Drawing {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Photo {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        image: Image,
    },
}

/// Pages of drawings, filled top to bottom.
struct Layout {
    pages: Vec<Vec<Drawing>>,
    y: f32,
}

impl Layout {
    fn room(&mut self, height: f32) {
        if self.y + height > HEIGHT - MARGIN - 14.0 {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn text(&mut self, text: &str, size: f32, indent: f32) {
        let width = WIDTH - 2.0 * MARGIN - indent;
        for paragraph in text.lines() {
            for line in wrap(paragraph, size, width, 200) {
                let height = size * 1.45;
                self.room(height);
                self.y += height;
                let y = self.y;
                if let Some(page) = self.pages.last_mut() {
                    page.push(Drawing::Text {
                        x: MARGIN + indent,
                        y,
                        size,
                        text: line,
                    });
                }
            }
        }
    }

    fn photo(&mut self, bytes: &[u8], caption: &str) {
        let data: krilla::Data = Arc::new(bytes.to_vec()).into();
        let image = Image::from_jpeg(data.clone(), true)
            .or_else(|_| Image::from_png(data.clone(), true))
            .or_else(|_| Image::from_webp(data.clone(), true))
            .or_else(|_| Image::from_gif(data, true));
        let Ok(image) = image else {
            self.text(
                &format!("{caption}（无法嵌入，见压缩包 not embedded: see the ZIP）"),
                9.0,
                12.0,
            );
            return;
        };
        let (pixels_wide, pixels_high) = image.size();
        let room = WIDTH - 2.0 * MARGIN - 12.0;
        let scale =
            (room / pixels_wide.max(1) as f32).min(PHOTO_HEIGHT / pixels_high.max(1) as f32);
        let (width, height) = (pixels_wide as f32 * scale, pixels_high as f32 * scale);
        self.room(height + 20.0);
        self.y += 6.0;
        let y = self.y;
        if let Some(page) = self.pages.last_mut() {
            page.push(Drawing::Photo {
                x: MARGIN + 12.0,
                y,
                width,
                height,
                image,
            });
        }
        self.y += height;
        self.text(caption, 9.0, 12.0);
    }
}

/// Renders the pack as PDF bytes.
pub fn render(pack: &Pack, font_file: Option<&str>) -> Result<Vec<u8>, LabelError> {
    let font = font(font_file)?;
    let mut layout = Layout {
        pages: vec![Vec::new()],
        y: MARGIN,
    };
    layout.text(&pack.title, 17.0, 0.0);
    layout.y += 4.0;
    for line in &pack.heading {
        layout.text(line, 10.0, 0.0);
    }
    for section in &pack.sections {
        layout.room(40.0);
        layout.y += 10.0;
        layout.text(&section.title, 13.0, 0.0);
        layout.y += 2.0;
        for line in &section.lines {
            match line {
                Line::Text(text) => layout.text(text, 10.0, 6.0),
                Line::Small(text) => layout.text(text, 8.5, 18.0),
                Line::Photo { bytes, caption } => layout.photo(bytes, caption),
            }
        }
    }
    let total = layout.pages.len();
    let mut document = Document::new();
    for (number, drawings) in layout.pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(WIDTH, HEIGHT)
            .ok_or_else(|| LabelError::Pdf("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let write =
            |surface: &mut krilla::surface::Surface, font: &Font, x, y, size, text: &str| {
                surface.draw_text(
                    Point::from_xy(x, y),
                    font.clone(),
                    size,
                    text,
                    false,
                    TextDirection::Auto,
                );
            };
        for drawing in drawings {
            match drawing {
                Drawing::Text { x, y, size, text } => write(&mut surface, &font, x, y, size, &text),
                Drawing::Photo {
                    x,
                    y,
                    width,
                    height,
                    image,
                } => {
                    if let Some(size) = Size::from_wh(width, height) {
                        surface.push_transform(&Transform::from_translate(x, y));
                        surface.draw_image(image, size);
                        surface.pop();
                    }
                }
            }
        }
        write(
            &mut surface,
            &font,
            WIDTH / 2.0 - 40.0,
            HEIGHT - MARGIN / 2.0,
            8.0,
            &format!(
                "第 {} / {total} 页  Page {} of {total}",
                number + 1,
                number + 1
            ),
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| LabelError::Pdf(format!("{error:?}")))
}
