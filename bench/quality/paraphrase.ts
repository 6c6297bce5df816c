// Tasks written for bench:quality, each with a query that means the same thing in other words
// (few or no words shared with the title), as a user who forgot the exact title would type.
// [title, description, paraphrase query]

export const PARAPHRASE: readonly (readonly [string, string, string])[] = [
  [
    "Renew the TLS certificate of the billing API",
    "It expires at the end of the month.",
    "https cert for the payments endpoint is about to lapse",
  ],
  [
    "Plan the team offsite in March",
    "Venue, travel and agenda for two days.",
    "organise a company retreat in spring",
  ],
  [
    "Fix the flaky login test on Safari",
    "Fails one run in five on CI.",
    "browser sign-in check keeps failing intermittently",
  ],
  [
    "Write the quarterly investor update",
    "Revenue, churn and hiring since January.",
    "letter to shareholders about the last three months",
  ],
  [
    "Migrate the invoices table to Postgres",
    "Move off the legacy MySQL instance.",
    "move billing records into a relational database",
  ],
  [
    "Hire a second on-call engineer",
    "The rotation has only one person.",
    "recruit another person for the pager rota",
  ],
  ["Reduce the Docker image size", "The gateway image is 1.2 GB.", "make the container smaller"],
  [
    "Translate the onboarding emails into German",
    "Five emails in the welcome sequence.",
    "localise welcome messages for Germany",
  ],
  [
    "Set up nightly database backups",
    "Keep thirty days of snapshots.",
    "automatic copies of the data every evening",
  ],
  [
    "Cancel the unused Figma seats",
    "Three designers left last quarter.",
    "stop paying for design tool licences nobody uses",
  ],
  [
    "Investigate the memory leak in the worker",
    "RSS grows 50 MB an hour.",
    "background process keeps using more RAM over time",
  ],
  [
    "Prepare the SOC 2 audit evidence",
    "Screenshots and policies for the auditor.",
    "gather compliance documents for the security certification",
  ],
  [
    "Add dark mode to the dashboard",
    "Follow the system preference.",
    "night theme for the admin screens",
  ],
  [
    "Negotiate the office lease renewal",
    "Current lease ends in June.",
    "talk to the landlord about extending our rental contract",
  ],
  [
    "Write unit tests for the tax calculator",
    "Cover VAT and reverse charge.",
    "automated checks for the sales levy computation",
  ],
  [
    "Order new laptops for the interns",
    "Four machines, arriving in July.",
    "buy computers for the summer trainees",
  ],
  [
    "Archive the old marketing website",
    "Keep a static copy, then shut it down.",
    "retire the previous promotional homepage",
  ],
  [
    "Speed up the search results page",
    "p99 is 2 seconds.",
    "the lookup screen is too slow to load",
  ],
  [
    "Rotate the AWS access keys",
    "Keys are older than 90 days.",
    "replace the cloud credentials that are too old",
  ],
  [
    "Book the venue for the customer conference",
    "About 300 attendees in October.",
    "reserve a hall for our client event in autumn",
  ],
  [
    "Clean up the feature flags",
    "Twelve flags are fully rolled out.",
    "remove toggles that are no longer needed",
  ],
  [
    "Respond to the GDPR data access request",
    "A customer asked for all their data.",
    "a person wants a copy of the personal information we hold",
  ],
  [
    "Fix the broken link in the pricing page",
    "The enterprise plan link returns 404.",
    "a hyperlink on the plans and costs screen goes nowhere",
  ],
  [
    "Set up a status page",
    "Public uptime for customers.",
    "website showing whether our service is down",
  ],
  [
    "Update the employee handbook",
    "New remote work and leave policies.",
    "revise the staff rules document",
  ],
  [
    "Add rate limiting to the public API",
    "Per key, 100 requests per second.",
    "throttle how many calls clients can make",
  ],
  [
    "Replace the coffee machine in the kitchen",
    "It leaks since Monday.",
    "the espresso maker is broken, get another one",
  ],
  [
    "Review the open-source licence of our dependencies",
    "Check for GPL in the bundle.",
    "audit third-party package legal terms",
  ],
  [
    "Create a referral programme",
    "Reward customers who bring friends.",
    "scheme that pays users for inviting others",
  ],
  [
    "Fix the timezone bug in recurring meetings",
    "Events shift by an hour after DST.",
    "repeating calendar entries move when the clocks change",
  ],
  [
    "Write the post-mortem of the Friday outage",
    "Root cause, timeline and actions.",
    "incident report for the downtime at the end of last week",
  ],
  [
    "Set up SSO with Okta",
    "SAML for enterprise customers.",
    "single sign-on through the identity provider",
  ],
  [
    "Reduce the cloud bill by 20 percent",
    "Idle instances and oversized databases.",
    "spend less on hosting",
  ],
  ["Design the new logo", "Three options for the board.", "brand mark redesign"],
  [
    "Move the CI pipeline to GitHub Actions",
    "Jenkins is hard to maintain.",
    "switch our build automation away from Jenkins",
  ],
  [
    "Collect feedback from churned customers",
    "Interview ten who cancelled.",
    "ask users who left why they quit",
  ],
  [
    "Add two-factor authentication",
    "TOTP and WebAuthn.",
    "second step at sign-in with an authenticator app",
  ],
  [
    "Prepare the board meeting slides",
    "Due the Thursday before.",
    "deck for the directors' session",
  ],
  [
    "Fix the CSV export encoding",
    "Accents come out garbled in Excel.",
    "spreadsheet download shows broken special characters",
  ],
  [
    "Set up the new hire's accounts",
    "Email, Slack, GitHub for Maria.",
    "give the newcomer access to our tools",
  ],
  [
    "Write a blog post about our Kafka migration",
    "Lessons from moving off RabbitMQ.",
    "article on switching message brokers",
  ],
  [
    "Renegotiate the contract with the payment provider",
    "Fees went up 0.3 percent.",
    "ask the card processor for better rates",
  ],
  [
    "Add pagination to the audit log API",
    "Responses are over 10 MB.",
    "split the activity history endpoint into pages",
  ],
  [
    "Organise the team's first aid training",
    "Required for the new office.",
    "emergency medical course for staff",
  ],
  [
    "Upgrade Node to the latest LTS",
    "Version 18 is end of life.",
    "move the JavaScript runtime to the supported release",
  ],
  [
    "Fix the typo in the welcome email",
    "It says 'Welcom'.",
    "spelling mistake in the greeting message to new users",
  ],
  [
    "Design the mobile onboarding flow",
    "Three screens before the dashboard.",
    "first-run experience for the phone app",
  ],
  [
    "Run a load test before Black Friday",
    "Expect five times the traffic.",
    "check the system holds the holiday shopping peak",
  ],
  [
    "Send the NPS survey",
    "To all customers active this quarter.",
    "ask users how likely they are to recommend us",
  ],
  [
    "Document the deployment process",
    "Steps, rollbacks and who to call.",
    "write down how we ship to production",
  ],
  [
    "Fix the crash when uploading large images",
    "Files over 20 MB kill the app.",
    "the app dies on big photo uploads",
  ],
  [
    "Schedule the annual performance reviews",
    "Managers need two weeks.",
    "book the yearly staff appraisals",
  ],
  [
    "Add support for Apple Pay",
    "Customers asked for it at checkout.",
    "let people pay with their iPhone wallet",
  ],
  [
    "Remove inactive users from the mailing list",
    "No opens in twelve months.",
    "prune newsletter subscribers who never read it",
  ],
  [
    "Fix the slow query on the reports page",
    "A missing index on created_at.",
    "analytics screen database lookup takes ages",
  ],
  [
    "Buy a standing desk for Tom",
    "Doctor's recommendation for his back.",
    "height-adjustable workstation for a colleague with back pain",
  ],
  [
    "Write the API changelog for version 3",
    "Breaking changes and migration notes.",
    "release notes for the next major interface",
  ],
  [
    "Set up error tracking with Sentry",
    "Frontend and backend.",
    "collect exceptions from the app automatically",
  ],
  [
    "Plan the holiday party",
    "December 18, budget 2,000 euros.",
    "end-of-year celebration for the staff",
  ],
  [
    "Fix the overlapping buttons on small screens",
    "On phones under 360 px wide.",
    "controls sit on top of each other on narrow devices",
  ],
];
