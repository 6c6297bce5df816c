// Long descriptions for bench:quality: a task whose one distinctive passage sits deep inside
// 4,000 characters of ordinary project prose, found by a query about that passage only.
// [title, distinctive passage, query]

export const LONG: readonly (readonly [string, string, string])[] = [
  [
    "Quarterly operations review",
    "The Rotterdam warehouse loses power every Tuesday night because nobody refuels the backup generator.",
    "Rotterdam warehouse generator never refuelled",
  ],
  [
    "Platform roadmap notes",
    "Customers in Brazil cannot pay with Pix because the checkout rejects the eleven-digit CPF numbers.",
    "Brazilian shoppers blocked from Pix payments at checkout",
  ],
  [
    "Support backlog summary",
    "A hospital in Lyon reported that the appointment reminders arrive in English instead of French.",
    "Lyon clinic gets reminders in the wrong language",
  ],
  [
    "Security review findings",
    "The staging bucket with last year's payroll exports is readable by anyone who knows its name.",
    "payroll files exposed in a public staging storage bucket",
  ],
  [
    "Infrastructure retrospective",
    "The Kubernetes autoscaler keeps killing the video transcoding pods in the middle of a job.",
    "autoscaler evicts transcoding workers mid-job",
  ],
  [
    "Sales pipeline digest",
    "The Norwegian ferry operator wants an on-premise installation before they sign the contract.",
    "ferry company in Norway insists on self-hosting",
  ],
  [
    "Design system audit",
    "Our date picker is unusable with a screen reader because the month grid has no labels.",
    "calendar widget inaccessible for blind users",
  ],
  [
    "Finance month-end notes",
    "The euro invoices from the Dublin subsidiary are booked twice in the ledger after every sync.",
    "duplicate ledger entries for Irish subsidiary invoices",
  ],
  [
    "Mobile release checklist",
    "Android 14 devices drop push notifications when battery saver is switched on.",
    "push messages lost on new Android phones in power saving mode",
  ],
  [
    "Data team weekly",
    "The churn model was trained on a table where cancelled trials were counted as active customers.",
    "churn prediction trained on mislabelled trial cancellations",
  ],
  [
    "Partner integrations status",
    "The Shopify connector stops importing orders once a store has more than 250 product variants.",
    "Shopify sync halts for shops with many variants",
  ],
  [
    "Hiring committee notes",
    "The take-home exercise for backend candidates still asks for Python 2 syntax.",
    "coding assignment for applicants uses an obsolete language version",
  ],
  [
    "Customer success playbook",
    "The largest account in Singapore threatens to leave unless exports finish within an hour.",
    "big Singapore client may churn over slow exports",
  ],
  [
    "Legal and compliance tracker",
    "Our cookie banner in Italy does not offer a reject-all button, which the regulator requires.",
    "Italian consent popup lacks a decline everything option",
  ],
  [
    "Incident follow-ups",
    "The DNS provider's failover sent a quarter of European traffic to the Virginia region for an hour.",
    "DNS failover routed EU users to the US east datacentre",
  ],
  [
    "Office facilities log",
    "The third-floor meeting room projector only works with HDMI cables shorter than two metres.",
    "beamer upstairs fails with long video cables",
  ],
  [
    "Product discovery interviews",
    "Three dentists said they would pay double for automatic SMS reminders to patients.",
    "dental practices keen on paid text-message recalls",
  ],
  [
    "Vendor management review",
    "The translation agency charges per word even for repeated sentences across our manuals.",
    "translators bill again for duplicated manual text",
  ],
  [
    "Quality assurance report",
    "The PDF invoices print the VAT number of the wrong entity for customers in Austria.",
    "Austrian invoices show another company's tax ID",
  ],
  [
    "Engineering onboarding guide",
    "New engineers cannot run the test suite on Apple silicon without installing Rosetta first.",
    "test suite needs Rosetta on M1 Macs",
  ],
  [
    "Marketing campaign wrap-up",
    "The podcast sponsorship brought forty trials, but none of them converted to paid plans.",
    "podcast ads produced trials that never paid",
  ],
  [
    "Accessibility backlog",
    "Keyboard users get trapped inside the chat widget because the focus never leaves it.",
    "focus trap in the support chat for keyboard navigation",
  ],
  [
    "Capacity planning notes",
    "The Postgres primary will run out of disk in about six weeks at the current growth rate.",
    "main database storage full in a month and a half",
  ],
  [
    "Billing system migration",
    "Annual plans bought with a coupon renew at the full price without warning the customer.",
    "discounted yearly subscriptions renew at list price silently",
  ],
  [
    "API consumer feedback",
    "Webhook retries arrive out of order, so partners apply an old status after a new one.",
    "webhook redeliveries out of sequence overwrite newer state",
  ],
  [
    "Localization status",
    "Japanese users see truncated button labels in the settings page on every browser.",
    "cut-off button text in Japanese settings",
  ],
  [
    "Security awareness programme",
    "A phishing test last month fooled eleven people from the finance department.",
    "finance staff fell for the simulated phishing email",
  ],
  [
    "Warehouse robotics pilot",
    "The picking robots stop when the floor is wet after the cleaners pass at six.",
    "robots halt on the damp floor after morning cleaning",
  ],
  [
    "Research spike results",
    "Switching the embeddings to 256 dimensions cut storage in half with almost no loss in recall.",
    "smaller vectors halve storage without hurting retrieval",
  ],
  [
    "Team health check",
    "The mobile team has not had a full sprint without a production hotfix since April.",
    "app squad interrupted by urgent fixes every iteration since spring",
  ],
];

/** Ordinary project prose around the passage: plausible, repetitive, sharing no rare words. */
export const FILLER: readonly string[] = [
  "The team met on Monday to go through the open items and agreed on owners for each of them.",
  "Most of the work planned for this period is on track, and the remaining risks are listed below.",
  "We will revisit the priorities at the next planning session once the numbers are final.",
  "Several colleagues asked for clearer definitions of done, which we will add to the template.",
  "The budget for the period is unchanged, and no new headcount is expected before next quarter.",
  "Dependencies on other teams were discussed, and the leads will follow up with their counterparts.",
  "A few tickets were moved to the backlog because their scope was not clear enough to estimate.",
  "Everyone is reminded to keep the status fields current so that the weekly report stays accurate.",
  "The documentation pages were reorganised, and links from older pages now point to the new ones.",
  "Feedback from the last review was positive overall, with a request for shorter meetings.",
  "The next milestone depends on the sign-off from stakeholders, which is expected within two weeks.",
  "Action items from previous sessions were reviewed; most are closed and two remain in progress.",
  "Questions about the process can be raised in the usual channel or during office hours.",
  "We agreed to measure progress with the same indicators as last quarter to keep things comparable.",
  "The shared calendar now lists every recurring session, including the optional ones.",
  "No decisions were taken on the items that need more input; they stay on the agenda.",
];
