//! Demo data: a Chinese shop with staff for every role, customers, orders and cases in every
//! status each kind can reach, all made through the same operations the API uses.

use std::collections::VecDeque;

use crate::db::Database;
use crate::db::shops::Actor;
use crate::domain::lifecycle::{Moment, next_status};
use crate::domain::{Action, CaseKind, Role, Status};
use crate::operations::cases::{
    self as case_operations, CaseLineInput, ContactInput, NewCaseInput,
};
use crate::operations::orders::{
    self as order_operations, CustomerInput, OrderInput, OrderLineInput,
};
use crate::operations::refunds::{self as refund_operations, RefundInput};
use crate::operations::shops::{add_staff, add_token, ensure_shop};
use crate::operations::transitions::{self, TransitionInput};

pub const SHOP_SLUG: &str = "demo";
/// The demo staff: e-mail, name and role. Their password and API tokens are made at random
/// when the demo is loaded, printed once, and stored only as hashes.
pub const STAFF: &[(&str, &str, Role)] = &[
    ("admin@demo.local", "管理员 张伟", Role::Admin),
    ("supervisor@demo.local", "主管 刘洋", Role::Supervisor),
    ("agent@demo.local", "客服 李娜", Role::Agent),
    ("agent2@demo.local", "客服 王芳", Role::Agent),
    ("inspector@demo.local", "质检 陈磊", Role::Inspector),
];

/// The demo's sign-ins, as made when it was loaded: shown once.
pub struct Logins {
    pub password: String,
    /// Per staff member: e-mail, role, API token.
    pub tokens: Vec<(&'static str, Role, String)>,
}

impl Logins {
    fn new() -> Logins {
        use base64::Engine;
        Logins {
            password: base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(rand::random::<[u8; 9]>()),
            tokens: STAFF
                .iter()
                .map(|(email, _, role)| (*email, *role, crate::operations::tokens::new_secret()))
                .collect(),
        }
    }

    /// The lines that show them (the server's banner at `base`, `aftersale demo`).
    pub fn print(&self, base: &str) {
        println!(
            "  demo logins (password {}), shown this once:",
            self.password
        );
        for (email, role, token) in &self.tokens {
            println!("    {role:<10} {email:<24} API token: {token}");
        }
        if let Some((_, _, token)) = self.tokens.iter().find(|(_, role, _)| *role == Role::Agent) {
            println!(
                "  try: curl -H 'Authorization: Bearer {token}' '{base}/api/v1/cases?status=open'"
            );
        }
    }
}

const CUSTOMERS: &[(&str, &str)] = &[
    ("王小明", "13800138001"),
    ("李静", "13900139002"),
    ("张磊", "13700137003"),
    ("刘芳", "13600136004"),
    ("陈晨", "13500135005"),
    ("杨洋", "18800188006"),
    ("赵敏", "18900189007"),
    ("黄勇", "15000150008"),
];

const PRODUCTS: &[(&str, &str, &str, i64)] = &[
    ("KB-001", "机械键盘 青轴 87键", "数码配件", 29_900),
    ("EP-210", "蓝牙降噪耳机", "数码", 59_900),
    ("TS-032", "纯棉短袖T恤 白色 L", "服装", 7_900),
    ("KT-500", "电热水壶 1.7L", "家电", 15_900),
    ("PB-100", "充电宝 20000mAh", "数码配件", 12_900),
    ("SH-420", "跑步鞋 42码", "鞋靴", 39_900),
];

/// The products a story fits: electronics (keyboard, earphones, kettle, power bank) or what is
/// worn (T-shirt, shoes), by index into [`PRODUCTS`].
const ELECTRONICS: &[usize] = &[0, 1, 3, 4];
const WORN: &[usize] = &[2, 5];
const ANY: &[usize] = &[0, 1, 2, 3, 4, 5];

/// What customers ask for, per kind, with the reason and the products it fits: a kettle is not
/// exchanged because the size does not fit, a T-shirt is not repaired.
fn stories(kind: CaseKind) -> &'static [(&'static str, &'static str, &'static [usize])] {
    match kind {
        CaseKind::RefundOnly => &[
            (
                "missing_part",
                "少发了一个配件（充电线），申请退这部分的钱",
                ELECTRONICS,
            ),
            ("price", "说好的满300减30没有减，申请退差价", ANY),
            (
                "damaged_in_transit",
                "快递外箱破损，商品有磕碰，不想退回，协商部分退款",
                ELECTRONICS,
            ),
        ],
        CaseKind::ReturnAndRefund => &[
            ("no_reason", "七天无理由退货，商品未拆封", ANY),
            ("not_as_described", "实物颜色与图片描述不符", ANY),
            ("wrong_item", "发错货了，我买的是黑色，收到白色", WORN),
        ],
        CaseKind::Exchange => &[
            ("size_colour", "尺码偏小，想换大一号", WORN),
            ("wrong_item", "发错颜色了，想换成黑色", WORN),
        ],
        CaseKind::Repair => &[
            ("quality", "使用两天后无法开机", ELECTRONICS),
            ("quality", "充电时有异响，充不进电", ELECTRONICS),
        ],
        CaseKind::Consultation => &[
            ("other", "请问这款可以开增值税专用发票吗？", ANY),
            ("other", "保修期是多久？需要保留包装吗？", ELECTRONICS),
        ],
        CaseKind::Complaint => &[
            ("service_attitude", "客服回复太慢，态度不好，投诉", ANY),
            ("late_delivery", "物流三天没有更新，一直没人处理", ANY),
        ],
        CaseKind::Review => &[("review", "差评：质量一般，用了一周就坏了", ANY)],
        CaseKind::Reship => &[
            ("missing_part", "包裹里少了充电线，请补寄", ELECTRONICS),
            (
                "late_delivery",
                "物流显示已签收但我没收到，快递说丢件了",
                ANY,
            ),
        ],
        CaseKind::RefusedDelivery => &[("no_reason", "不想要了，快递到了我已拒收，请退款", ANY)],
        CaseKind::Interception => &[(
            "no_reason",
            "刚下单就发货了，不想要了，请帮我拦截快递并退款",
            ANY,
        )],
    }
}

/// Every status of `kind` with the shortest list of actions (and who takes them) that reach it.
fn paths(kind: CaseKind, now: i64) -> Vec<(Status, Vec<(Action, Role)>)> {
    let roles = [
        Role::Agent,
        Role::Inspector,
        Role::Supervisor,
        Role::Admin,
        Role::System,
    ];
    let moment = Moment {
        now,
        ended_at: None,
    };
    let mut found: Vec<(Status, Vec<(Action, Role)>)> = vec![(kind.initial_status(), Vec::new())];
    let mut queue = VecDeque::from([0usize]);
    while let Some(index) = queue.pop_front() {
        let (status, path) = found[index].clone();
        for action in Action::ALL
            .iter()
            .copied()
            .filter(|action| *action != Action::Reopen)
        {
            let Some((to, role)) = roles.iter().find_map(|role| {
                next_status(kind, status, action, *role, moment)
                    .ok()
                    .map(|to| (to, *role))
            }) else {
                continue;
            };
            if found.iter().any(|(known, _)| *known == to) {
                continue;
            }
            let mut longer = path.clone();
            longer.push((action, role));
            found.push((to, longer));
            queue.push_back(found.len() - 1);
        }
    }
    found
}

/// The demo shop's canned replies, with the placeholders the console fills in.
pub fn demo_reply_templates() -> Vec<crate::domain::settings::ReplyTemplate> {
    [
        (
            "同意退货（并同意申请）",
            "{customer_name}您好，您的售后申请 {case_number} 已同意。请将商品连同配件寄回：{return_address}，寄出后在售后页面填写快递单号。",
        ),
        (
            "补充照片",
            "{customer_name}您好，为了尽快处理 {case_number}，请在售后页面补充商品问题部位的照片，谢谢！",
        ),
        (
            "已退款",
            "{customer_name}您好，订单 {order_number} 的退款已原路退回，到账时间以银行为准。感谢您对{shop_name}的支持！",
        ),
    ]
    .into_iter()
    .map(|(name, body)| crate::domain::settings::ReplyTemplate {
        // The agreement is a macro: the reply, the approval and a tag in one go.
        action: name.starts_with("同意退货").then(|| "approve".into()),
        tag: name.starts_with("同意退货").then(|| "已回复".into()),
        name: name.into(),
        body: body.into(),
    })
    .collect()
}

/// The demo shop's SOP: quality problems need photos and the serial number before approval.
pub fn demo_checklists() -> Vec<crate::domain::checklist::Checklist> {
    use crate::domain::Action;
    use crate::domain::checklist::{Checklist, Step};
    let step = |code: &str, text: &str, before: &[Action]| Step {
        code: code.into(),
        text: text.into(),
        before: before.to_vec(),
    };
    vec![
        Checklist {
            category: "quality".into(),
            steps: vec![
                step("photos", "请买家上传问题部位照片", &[Action::Approve]),
                step(
                    "serial",
                    "核对商品序列号与订单一致",
                    &[Action::Approve, Action::Refund],
                ),
                step("advice", "告知买家寄回时带齐配件", &[]),
            ],
        },
        Checklist {
            category: "logistics".into(),
            steps: vec![step(
                "carrier",
                "联系快递公司核实破损并索赔",
                &[Action::Refund],
            )],
        },
    ]
}

/// Loads the demo shop, staff, tokens, orders and cases (the cases only if the shop has none);
/// returns the sign-ins it made.
pub async fn load(database: &Database) -> anyhow::Result<Logins> {
    let logins = Logins::new();
    let shop = ensure_shop(database, SHOP_SLUG, "小鹿数码旗舰店").await?;
    let mut settings = crate::db::settings::load(&database.reader, &shop.id).await?;
    if settings.return_address.is_none() {
        settings.return_address =
            Some("浙江省杭州市余杭区文一西路 969 号 小鹿数码售后部 收 0571-88886666".into());
        settings.reply_templates = demo_reply_templates();
        crate::db::settings::store(database, &shop.id, &settings, database.clock.now()).await?;
    }
    let mut actors: Vec<Actor> = Vec::new();
    for ((email, name, role), (_, _, token)) in STAFF.iter().zip(&logins.tokens) {
        let staff_id = add_staff(database, &shop, email, name, *role, &logins.password).await?;
        add_token(
            database,
            &shop,
            Some(&staff_id),
            *role,
            &format!("demo {}", role.as_str()),
            token,
        )
        .await?;
        actors.push(Actor {
            shop: shop.clone(),
            role: *role,
            staff_id: Some(staff_id),
        });
    }
    actors.push(Actor {
        shop: shop.clone(),
        role: Role::System,
        staff_id: None,
    });
    if crate::db::cases::any_in_shop(&database.reader, &shop.id).await? {
        return Ok(logins);
    }
    let actor_for = |role: Role| {
        actors
            .iter()
            .find(|actor| actor.role == role)
            .cloned()
            .expect("a demo actor for every role")
    };
    let agent = actor_for(Role::Agent);
    let mut counter = 0usize;
    for kind in CaseKind::ALL {
        for (_, path) in paths(*kind, database.clock.now()) {
            counter += 1;
            let case = open_case(database, &agent, *kind, counter).await?;
            walk(database, &actor_for, &case, &path, counter).await?;
        }
    }
    told(database, &actor_for, &mut counter).await?;
    disputed(database, &agent).await?;
    surveyed(database, &actor_for, &mut counter).await?;
    visited(database, &shop).await?;
    repaired(database, &actor_for, &mut counter).await?;
    let report = crate::operations::knowledge::import(database, &agent, starter_articles()).await?;
    anyhow::ensure!(
        report.refused.is_empty(),
        "starter articles: {:?}",
        report.refused
    );
    // The SOP goes in last: the demo's cases were moved along without it.
    let mut settings = crate::db::settings::load(&database.reader, &shop.id).await?;
    if settings.sop.is_empty() {
        settings.sop = demo_checklists();
        crate::db::settings::store(database, &shop.id, &settings, database.clock.now()).await?;
    }
    Ok(logins)
}

/// The help centre's starter articles (data/knowledge/articles): each slug's Chinese and English
/// files, published.
macro_rules! starter {
    ($($slug:literal),+ $(,)?) => {
        &[$(
            (concat!($slug, ".zh-CN.md"), include_str!(concat!("../data/knowledge/articles/", $slug, ".zh-CN.md"))),
            (concat!($slug, ".en-US.md"), include_str!(concat!("../data/knowledge/articles/", $slug, ".en-US.md"))),
        )+]
    };
}

pub(crate) const STARTER_ARTICLES: &[(&str, &str)] = starter!(
    "refund-time",
    "return-how",
    "seven-day-return",
    "return-shipping-fee",
    "exchange-size",
    "warranty-repair",
    "repair-time",
    "parcel-tracking",
    "parcel-damaged",
    "invoice",
    "change-address",
    "cancel-order",
    "refund-rejected",
    "price-protection",
);

fn starter_articles() -> Vec<(String, Vec<u8>)> {
    STARTER_ARTICLES
        .iter()
        .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()))
        .collect()
}

/// Last month's satisfaction round: complaints and questions that ended mid-month, every one of
/// their eight customers sampled (a small shop), seven answered (by the link, one by phone).
async fn surveyed(
    database: &Database,
    actor_for: &dyn Fn(Role) -> Actor,
    counter: &mut usize,
) -> anyhow::Result<()> {
    let agent = actor_for(Role::Agent);
    let shop = agent.shop.clone();
    let mut settings = crate::db::settings::load(&database.reader, &shop.id).await?;
    settings.surveys = crate::domain::surveys::SurveySettings {
        enabled: true,
        share_percent: Some(100),
        milestone_days: Some(7),
        questions: vec![crate::domain::surveys::Question {
            key: "speed".into(),
            zh: "处理速度".into(),
            en: "How fast we were".into(),
            kind: crate::domain::surveys::QuestionKind::Score,
        }],
        ..Default::default()
    };
    crate::db::settings::store(database, &shop.id, &settings, database.clock.now()).await?;
    let today = crate::domain::time::local_date(database.clock.now(), &shop.time_zone);
    let middle = today
        .first_of_month()
        .checked_sub(jiff::Span::new().days(16))?;
    let hours = (today - middle).get_days() as i64 * 24;
    let then = database
        .clone()
        .with_clock(database.clock.shifted_hours(-hours));
    for index in 0..12 {
        let kind = [CaseKind::Complaint, CaseKind::Consultation][index % 2];
        *counter += 1;
        let case = open_case(&then, &agent, kind, *counter).await?;
        let path = [(Action::Resolve, Role::Agent), (Action::Close, Role::Agent)];
        walk(&then, actor_for, &case, &path, *counter).await?;
    }
    let supervisor = actor_for(Role::Supervisor);
    let period = crate::domain::surveys::Period::previous(Default::default(), today)
        .map(|period| period.name());
    let (round, _) = crate::operations::surveys::draw(
        database,
        &shop,
        Some(&supervisor),
        period.as_deref(),
        Some(2026),
    )
    .await
    .map_err(|error| anyhow::anyhow!("demo survey round: {error}"))?;
    let sampled = crate::db::surveys::list(
        &database.reader,
        &shop.id,
        &crate::db::surveys::Filter {
            round_id: Some(&round.id),
            ..Default::default()
        },
        100,
    )
    .await?;
    let answers = [
        (5, "客服回复很快，问题解决了"),
        (4, ""),
        (5, "态度很好"),
        (3, "等了两天才有人回复"),
        (5, ""),
        (4, "退款到账比预期慢一点"),
        (5, "很满意"),
    ];
    for (survey, (score, comment)) in sampled.iter().zip(answers) {
        let input = crate::operations::surveys::AnswerInput {
            score: Some(score),
            comment: Some(comment.into()),
            answers: [("speed".to_string(), serde_json::json!(score))].into(),
        };
        let by = (score == 3).then_some(&agent);
        crate::operations::surveys::answer(database, &shop, survey, &input, by)
            .await
            .map_err(|error| anyhow::anyhow!("demo survey answer: {error}"))?
            .map_err(|refused| anyhow::anyhow!("demo survey answer: {refused:?}"))?;
    }
    Ok(())
}

/// The platform stepped into an escalated case: a dispute with its deadline and checklist.
/// Repairs with suppliers: a brand service centre and the shop's workshop, a repair sent to the
/// centre (the fault confirmed), a service point taking bookings and a repair booked there.
async fn repaired(
    database: &Database,
    actor_for: &dyn Fn(Role) -> Actor,
    counter: &mut usize,
) -> anyhow::Result<()> {
    use crate::operations::{appointments, send_outs, suppliers};
    let (supervisor, agent) = (&actor_for(Role::Supervisor), &actor_for(Role::Agent));
    let failed = |error: crate::error::AppError| anyhow::anyhow!("{error}");
    let centre = suppliers::create(
        database,
        supervisor,
        &suppliers::SupplierInput {
            name: Some("飞科官方售后服务中心".into()),
            kind: Some("service_centre".into()),
            contact_name: Some("陈工".into()),
            phone: Some("400-826-8800".into()),
            address: Some("上海市松江区九亭镇 飞科售后服务中心".into()),
            handles: vec!["飞科".into(), "吹风机".into(), "剃须刀".into()],
            confirm_days: Some(3),
            repair_days: Some(12),
            ..Default::default()
        },
    )
    .await
    .map_err(failed)?;
    suppliers::create(
        database,
        supervisor,
        &suppliers::SupplierInput {
            name: Some("小鹿维修部".into()),
            kind: Some("workshop".into()),
            confirm_days: Some(1),
            repair_days: Some(5),
            ..Default::default()
        },
    )
    .await
    .map_err(failed)?;
    let slot = |start: &str, end: &str, capacity: i64| crate::domain::appointments::Slot {
        start: start.into(),
        end: end.into(),
        capacity,
    };
    let location = appointments::create_location(
        database,
        supervisor,
        &appointments::LocationInput {
            name: Some("杭州余杭服务点".into()),
            address: Some("杭州市余杭区文一西路 969 号 1 楼".into()),
            services: vec!["drop_in".into(), "pickup".into()],
            slots: vec![
                slot("09:30", "11:30", 3),
                slot("14:00", "16:00", 3),
                slot("16:00", "18:00", 2),
            ],
            ..Default::default()
        },
    )
    .await
    .map_err(failed)?;
    let repairs_in = |status: Status| {
        let mut filter =
            crate::db::case_list::CaseFilter::all(crate::db::case_list::CaseSort::CreatedAt, 1);
        filter.statuses = vec![status];
        filter.kinds = vec![CaseKind::Repair];
        async move {
            crate::db::case_list::list(&database.reader, database.backend, &agent.shop.id, &filter)
                .await
        }
    };
    // A repair of its own, walked to diagnosing, goes to the centre (the demo keeps one case
    // in every status, so the one diagnosing stays there).
    if let Some((_, path)) = paths(CaseKind::Repair, database.clock.now())
        .into_iter()
        .find(|(status, _)| *status == Status::Diagnosing)
    {
        *counter += 1;
        let opened = open_case(database, agent, CaseKind::Repair, *counter).await?;
        walk(database, actor_for, &opened, &path, *counter).await?;
        let case = crate::db::cases::get(&database.reader, &agent.shop.id, &opened.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the demo repair is gone"))?;
        let sent = send_outs::create(
            database,
            agent,
            &send_outs::SendOutInput {
                supplier_id: centre.id.clone(),
                cases: vec![send_outs::CaseVersion {
                    id: case.id.clone(),
                    version: case.version,
                }],
                carrier: Some("顺丰速运".into()),
                tracking_number: Some("SF1402618339127".into()),
                note: Some("附故障说明一份".into()),
            },
        )
        .await
        .map_err(failed)?;
        send_outs::finding(
            database,
            agent,
            &sent.id,
            &send_outs::FindingInput {
                version: sent.version,
                finding: "confirmed".into(),
                report: Some("电机线圈烧毁，属质量问题，更换电机".into()),
                photos: Vec::new(),
            },
        )
        .await
        .map_err(failed)?;
    }
    if let Some(case) = repairs_in(Status::Submitted).await?.first()
        && let Some(opening) = appointments::openings(database, &agent.shop, &location)
            .await
            .map_err(failed)?
            .first()
    {
        appointments::book(
            database,
            agent,
            &case.id,
            &appointments::BookingInput {
                location_id: location.id.clone(),
                service: "drop_in".into(),
                day: opening.day.clone(),
                start: opening.start.clone(),
                version: None,
            },
        )
        .await
        .map_err(failed)?;
    }
    Ok(())
}

async fn disputed(database: &Database, agent: &Actor) -> anyhow::Result<()> {
    let mut filter =
        crate::db::case_list::CaseFilter::all(crate::db::case_list::CaseSort::CreatedAt, 1);
    filter.statuses = vec![Status::Escalated];
    filter.kinds = vec![CaseKind::ReturnAndRefund];
    let escalated =
        crate::db::case_list::list(&database.reader, database.backend, &agent.shop.id, &filter)
            .await?;
    if let Some(case) = escalated.first() {
        crate::operations::disputes::open(
            database,
            agent,
            &case.id,
            &crate::operations::disputes::DisputeOpening {
                reason: "买家申请平台客服介入：认为商品有质量问题".into(),
                platform: None,
                dispute_id: Some("JR-20261206-0001".into()),
                opened_at: None,
                due_at: None,
            },
        )
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    }
    Ok(())
}

/// An order of two items for a demo customer and a case of `kind` on its first, telling one of
/// the kind's stories (the `counter`-th demo case).
async fn open_case(
    database: &Database,
    agent: &Actor,
    kind: CaseKind,
    counter: usize,
) -> anyhow::Result<crate::db::cases::CaseRecord> {
    let (name, phone) = CUSTOMERS[counter % CUSTOMERS.len()];
    let told = stories(kind);
    let (reason_code, description, fits) = told[counter % told.len()];
    let first = PRODUCTS[fits[counter % fits.len()]];
    let second = PRODUCTS[(fits[counter % fits.len()] + 3) % PRODUCTS.len()];
    let order_number = format!("DEMO{:06}", 240_000 + counter);
    let days_ago = (counter % 6) as i64 + 1;
    let placed = jiff::Timestamp::from_microsecond(database.clock.now())?
        - jiff::SignedDuration::from_hours(24 * days_ago + 5);
    let input = OrderInput {
        order_number: order_number.clone(),
        platform: Some(["taobao", "tmall", "jd", "wechat"][counter % 4].into()),
        currency: None,
        placed_at: placed.to_string(),
        paid_at: Some(placed.to_string()),
        shipped_at: Some((placed + jiff::SignedDuration::from_hours(20)).to_string()),
        // Delivered two and a half days after the order, or an hour ago if that is sooner
        // (never in the future).
        delivered_at: Some(
            (placed
                + jiff::SignedDuration::from_hours(60)
                    .min(jiff::SignedDuration::from_hours(24 * days_ago + 4)))
            .to_string(),
        ),
        shipping_fee_minor: 0,
        invoice_number: None,
        customer: CustomerInput {
            name: name.into(),
            phone: Some(phone.into()),
            email: None,
            address: Some("上海市浦东新区世纪大道100号".into()),
        },
        lines: vec![
            OrderLineInput {
                line_number: None,
                sku: first.0.into(),
                product_name: first.1.into(),
                category: Some(first.2.into()),
                quantity: 1,
                unit_price_minor: first.3,
                paid_minor: None,
                serial_number: None,
                cost_minor: None,
                ..OrderLineInput::default()
            },
            OrderLineInput {
                line_number: None,
                sku: second.0.into(),
                product_name: second.1.into(),
                category: Some(second.2.into()),
                quantity: 2,
                unit_price_minor: second.3,
                paid_minor: Some(second.3 * 2 - 1_000),
                serial_number: None,
                cost_minor: None,
                ..OrderLineInput::default()
            },
        ],
        ..OrderInput::default()
    };
    let order = order_operations::check(agent, &input, database.clock.now())
        .map_err(|error| anyhow::anyhow!("demo order: {error}"))?;
    order_operations::store(database, agent, &order)
        .await
        .map_err(|error| anyhow::anyhow!("demo order: {error}"))?;
    if kind == CaseKind::Review {
        return reviewed(database, agent, &order_number, first, description, counter).await;
    }
    let case = case_operations::create(
        database,
        agent,
        &NewCaseInput {
            order_number,
            kind: kind.as_str().into(),
            reason_code: reason_code.into(),
            description: description.into(),
            lines: vec![CaseLineInput {
                line_number: 1,
                quantity: None,
            }],
            contact: ContactInput {
                name: Some(name.into()),
                phone: Some(phone.into()),
                email: None,
            },
            priority: Some(["normal", "high", "low", "urgent"][counter % 4].into()),
            assignee_id: if counter.is_multiple_of(3) {
                None
            } else {
                agent.staff_id.clone()
            },
            tags: Vec::new(),
            channel: Some(["chat", "phone", "platform"][counter % 3].into()),
        },
        None,
    )
    .await
    .map_err(|error| anyhow::anyhow!("demo case: {error}"))?
    .case;
    Ok(case)
}

/// Follow-up visits: large orders delivered three days ago, closed repairs and exchanges, and
/// the first customer made a VIP cared for every 90 days; the sweep makes them at once.
async fn visited(database: &Database, shop: &crate::db::shops::Shop) -> anyhow::Result<()> {
    use crate::domain::visits::{Trigger, VisitRule, VisitSettings};
    let (_, phone) = CUSTOMERS[0];
    if let Some(id) =
        crate::db::customers::by_contact(&database.reader, &shop.id, Some(phone), None).await?
    {
        crate::db::customers::set_tier(
            &database.writer,
            &shop.id,
            (&id, "vip"),
            database.clock.now(),
        )
        .await?;
    }
    let rule = |name: &str, trigger: Trigger, script: &str| VisitRule {
        name: name.into(),
        trigger,
        min_order_minor: None,
        kinds: Vec::new(),
        tiers: Vec::new(),
        every_days: None,
        after_days: Some(2),
        due_days: None,
        assignee_id: None,
        script: script.into(),
    };
    let mut settings = crate::db::settings::load(&database.reader, &shop.id).await?;
    settings.visits = VisitSettings {
        rules: vec![
            VisitRule {
                min_order_minor: Some(50_000),
                ..rule(
                    "大额订单签收回访",
                    Trigger::Delivered,
                    "{customer_name}您好，我是{shop_name}的客服。您订单 {order_number} 的{product}已经签收几天了，使用还顺利吗？有任何问题随时找我们。",
                )
            },
            VisitRule {
                kinds: vec![CaseKind::Repair, CaseKind::Exchange],
                ..rule(
                    "维修换货结案回访",
                    Trigger::CaseClosed,
                    "{customer_name}您好，您订单 {order_number} 的售后已经处理完毕，现在商品用着还好吗？",
                )
            },
            VisitRule {
                tiers: vec!["vip".into()],
                ..rule(
                    "VIP 季度关怀",
                    Trigger::Cadence,
                    "{customer_name}您好，我是{shop_name}的 VIP 专属客服，想了解一下您最近的购物体验。",
                )
            },
        ],
        attempts: None,
    };
    crate::db::settings::store(database, &shop.id, &settings, database.clock.now()).await?;
    crate::operations::visits::sweep(database, database.clock.now()).await?;
    Ok(())
}

/// A buyer's medium or negative review of the order's first product, come in as a platform's
/// export would bring it: its review case.
async fn reviewed(
    database: &Database,
    agent: &Actor,
    order_number: &str,
    product: (&str, &str, &str, i64),
    text: &str,
    counter: usize,
) -> anyhow::Result<crate::db::cases::CaseRecord> {
    let yesterday = jiff::Timestamp::from_microsecond(database.clock.now())?
        - jiff::SignedDuration::from_hours(20);
    let input = crate::operations::reviews::ReviewInput {
        platform: Some("taobao".into()),
        order_number: Some(order_number.into()),
        sku: Some(product.0.into()),
        product: Some(product.1.into()),
        rating: Some([1, 2, 3][counter % 3]),
        text: Some(text.into()),
        reviewer: Some("t**8".into()),
        reviewed_at: yesterday.to_string(),
        ..Default::default()
    };
    let report =
        crate::operations::reviews::record(database, agent, vec![(1, Ok(input))], "taobao")
            .await
            .map_err(|error| anyhow::anyhow!("demo review: {error}"))?;
    anyhow::ensure!(report.cases_opened == 1, "demo review: {report:?}");
    let key = crate::domain::reviews::key(None, Some(order_number), product.0, None, "");
    let case_id = crate::db::reviews::by_key(&database.reader, &agent.shop.id, "taobao", &key)
        .await?
        .and_then(|review| review.case_id)
        .ok_or_else(|| anyhow::anyhow!("demo review: no case"))?;
    case_operations::fetch(database, agent, &case_id)
        .await
        .map_err(|error| anyhow::anyhow!("demo review case: {error}"))
}

/// Takes `case` through `path`, each action by someone of its role; parcels get one tracking
/// number each.
async fn walk(
    database: &Database,
    actor_for: &dyn Fn(Role) -> Actor,
    case: &crate::db::cases::CaseRecord,
    path: &[(Action, Role)],
    counter: usize,
) -> anyhow::Result<()> {
    let agent = actor_for(Role::Agent);
    let mut version = case.version;
    for (step, (action, role)) in path.iter().enumerate() {
        let actor = actor_for(*role);
        let result = if *action == Action::Refund {
            refund_operations::execute(
                database,
                &actor,
                &case.id,
                &format!("demo-{}-{step}", case.id),
                &RefundInput::default(),
            )
            .await
            .map(|_| ())
        } else {
            let ships = matches!(
                action,
                Action::ShipReturn | Action::ShipReplacement | Action::ShipBack
            );
            transitions::transition(
                database,
                &actor,
                &case.id,
                &TransitionInput {
                    action: action.as_str().into(),
                    version,
                    reason: Some(reason_for(*action).into()),
                    note: None,
                    carrier: ships.then(|| "顺丰速运".into()),
                    tracking_number: ships
                        .then(|| format!("SF{:010}", 1_000_000 + counter * 10 + step)),
                    disposition: None,
                    close_unanswered: false,
                    refusal_code: None,
                    platform_reason_id: None,
                    proof: Vec::new(),
                    serial_number: None,
                },
            )
            .await
            .map(|_| ())
        };
        result.map_err(|error| {
            anyhow::anyhow!("demo {} case, action {action}: {error}", case.kind.as_str())
        })?;
        version = case_operations::fetch(database, &agent, &case.id)
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?
            .version;
    }
    Ok(())
}

/// The words an action that needs a reason gives: true of a demo case.
fn reason_for(action: Action) -> &'static str {
    match action {
        Action::Reject => "商品已使用且超过七天无理由期限，不符合退货条件",
        Action::InspectFail => "退回的商品有明显使用痕迹，且缺少原包装",
        Action::Cancel => "买家说问题已经解决，撤销申请",
        _ => "按流程处理",
    }
}

/// What the walk through every status does not show: cases gone unanswered past their SLA,
/// customers who wrote and wait for an answer, and parcels that did not arrive in time (their
/// clocks and the parcel watch turn them into follow-ups once the app runs).
async fn told(
    database: &Database,
    actor_for: &dyn Fn(Role) -> Actor,
    counter: &mut usize,
) -> anyhow::Result<()> {
    let agent = actor_for(Role::Agent);
    // Three days ago: complaints and a question nobody answered.
    let earlier = database
        .clone()
        .with_clock(database.clock.shifted_hours(-72));
    for kind in [
        CaseKind::Complaint,
        CaseKind::Complaint,
        CaseKind::Consultation,
    ] {
        *counter += 1;
        open_case(&earlier, &agent, kind, *counter).await?;
    }
    // Customers who wrote back and wait for the shop.
    let customer = Actor {
        role: Role::Customer,
        staff_id: None,
        ..agent.clone()
    };
    for (kind, text) in [
        (CaseKind::ReturnAndRefund, "请问退货地址是哪里？我今天就寄"),
        (CaseKind::Consultation, "还在吗？麻烦尽快回复一下"),
    ] {
        *counter += 1;
        let case = open_case(database, &agent, kind, *counter).await?;
        case_operations::post_message(
            database,
            &customer,
            &case.id,
            case_operations::Visibility::Customer,
            text,
        )
        .await
        .map_err(|error| anyhow::anyhow!("demo message: {error}"))?;
    }
    // Twelve days ago: an exchange and a repair sent back by the customer and never received.
    let long_ago = database
        .clone()
        .with_clock(database.clock.shifted_hours(-12 * 24));
    for kind in [CaseKind::Exchange, CaseKind::Repair] {
        *counter += 1;
        let case = open_case(&long_ago, &agent, kind, *counter).await?;
        let path = [
            (Action::Approve, Role::Agent),
            (Action::ShipReturn, Role::Agent),
        ];
        walk(&long_ago, actor_for, &case, &path, *counter).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lifecycle::statuses_of;

    #[test]
    fn demo_paths_reach_every_status_of_every_kind() {
        for kind in CaseKind::ALL {
            let reached: Vec<Status> = paths(*kind, crate::clock::system_micros())
                .into_iter()
                .map(|(status, _)| status)
                .collect();
            for status in statuses_of(*kind) {
                assert!(reached.contains(&status), "{kind}: {status} is not reached");
            }
        }
    }
}
