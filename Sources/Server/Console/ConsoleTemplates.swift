/// The console's Mustache templates, compiled into the binary (operators run it on private
/// networks: nothing is loaded from disk or a CDN). `{{x}}` is HTML-escaped by swift-mustache;
/// the only unescaped tags (`{{{…}}}`) insert HTML that the console itself rendered from these
/// templates, or the server-side SVG chart, which holds numbers only.
enum ConsoleTemplates {
    static let all: [String: String] = [
        "layout": layout, "login": login, "overview": overview, "overview_fragment": overviewFragment,
        "jobs": jobs, "job": job, "job_fragment": jobFragment, "retry_failed": retryFailed,
        "people": people, "discussions": discussions, "thread": thread, "message": message,
    ]

    static let layout = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Herald console</title>
        <link rel="stylesheet" href="/admin/static/console.css">
        <script src="/admin/static/console.js" defer></script>
        </head><body>
        <header><nav>
        <a class="brand" href="/admin">Herald</a>
        {{#loggedIn}}
        <a href="/admin" class="{{navOverview}}">Overview</a>
        <a href="/admin/jobs" class="{{navJobs}}">Jobs</a>
        <a href="/admin/people" class="{{navPeople}}">People</a>
        <a href="/admin/discussions" class="{{navDiscussions}}">Discussions</a>
        <span class="who">{{roleLabel}}</span>
        {{#canLogOut}}<form method="post" action="/admin/logout" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="link">Log out</button></form>{{/canLogOut}}
        {{/loggedIn}}
        </nav></header>
        <main>
        {{#notice}}<p class="notice {{noticeKind}}" role="status">{{notice}}</p>{{/notice}}
        {{{body}}}
        </main>
        </body></html>
        """

    static let login = """
        <h1>Log in</h1>
        {{#failed}}<p class="notice bad" role="alert">Wrong user or password.</p>{{/failed}}
        <form method="post" action="/admin/login" class="login">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>User <input name="user" autocomplete="username" required autofocus></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
        <button type="submit">Log in</button>
        </form>
        """

    static let overview = """
        <h1>Overview</h1>
        <div id="overview" data-refresh="/admin/overview/fragment" data-interval="{{refreshMs}}">{{{fragment}}}</div>
        """

    static let overviewFragment = """
        <p class="muted">As of {{now}} UTC · refreshes every {{refreshSeconds}} s{{#capped}} · more than {{cap}} jobs in one state: those counts stop at {{cap}}{{/capped}}</p>
        <section><h2>Queues</h2>
        {{#hasQueues}}
        <table class="queues"><thead><tr><th>queue</th><th>available</th><th>scheduled</th><th>running</th><th>retryable</th><th>failed</th><th>oldest waiting</th></tr></thead><tbody>
        {{#queues}}<tr><td><a href="/admin/jobs?queue={{queueParam}}">{{queue}}</a></td><td>{{available}}</td><td>{{scheduled}}</td><td>{{running}}</td><td>{{retryable}}</td>
        <td>{{#failed}}<a href="/admin/jobs?state=failed&amp;queue={{queueParam}}">{{failed}}</a>{{/failed}}</td>
        <td>{{#oldestId}}<a href="/admin/jobs/{{oldestId}}">#{{oldestId}}</a> {{oldestKind}}, waiting {{oldestWait}}{{/oldestId}}</td></tr>
        {{/queues}}
        </tbody></table>
        {{/hasQueues}}
        {{^queues}}<p>No jobs in the queue.</p>{{/queues}}
        </section>
        <section><h2>Completed and failed per minute, last hour</h2>
        {{{chart}}}
        <p class="legend">last hour, all queues: <span class="key completed"></span> completed ({{completedTotal}}) <span class="key failed"></span> failed ({{failedTotal}})</p>
        </section>
        <section><h2>Failing kinds</h2>
        {{#hasFailing}}
        <table><thead><tr><th>kind</th><th>failed (24 h)</th><th>retrying now</th><th>last failure</th><th>last error</th></tr></thead><tbody>
        {{#failing}}<tr><td><a href="/admin/jobs?state=failed&amp;kind={{kindParam}}">{{kind}}</a></td><td>{{failed}}</td><td>{{retrying}}</td><td>{{last_at}}</td><td class="error">{{last_error}}</td></tr>{{/failing}}
        </tbody></table>
        {{/hasFailing}}
        {{^failing}}<p>No failures in the last 24 hours, and nothing retrying.</p>{{/failing}}
        </section>
        <section><h2>Leader and workers</h2>
        {{#leader}}<p>Leader: <strong>{{worker}}</strong>, leading since {{since}} (lease renewed until {{leaseUntil}})</p>{{/leader}}
        {{^leader}}<p class="warn">No leader: no worker holds the leader lease (no rescuer, stager or digest scheduler is running).</p>{{/leader}}
        {{#hasListeners}}
        <table><thead><tr><th>worker process (listening connection)</th><th>client</th><th>connected since</th><th>last activity</th></tr></thead><tbody>
        {{#listeners}}<tr><td>{{application}} (backend pid {{pid}})</td><td>{{client}}</td><td>{{since}}</td><td>{{stateChange}}</td></tr>{{/listeners}}
        </tbody></table>
        {{/hasListeners}}
        {{^listeners}}<p class="warn">No worker process is listening for jobs.</p>{{/listeners}}
        {{#hasHolders}}
        <table><thead><tr><th>worker holding jobs (locked_by)</th><th>running</th><th>lease renewed until</th><th>oldest running since</th></tr></thead><tbody>
        {{#holders}}<tr><td><a href="/admin/jobs?state=running">{{worker}}</a></td><td>{{running}}</td><td class="{{leaseClass}}">{{leaseUntil}}</td><td>{{oldestStart}}</td></tr>{{/holders}}
        </tbody></table>
        {{/hasHolders}}
        </section>
        """

    static let jobs = """
        <h1>Jobs</h1>
        <form method="get" action="/admin/jobs" class="filters">
        <label>State <select name="state">{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}</select></label>
        <label>Kind <input name="kind" value="{{kind}}" list="kinds"></label>
        <label>Queue <input name="queue" value="{{queue}}"></label>
        <label>Since <input name="since" value="{{since}}" placeholder="2026-12-01 08:00"></label>
        <label>Until <input name="until" value="{{until}}" placeholder="now"></label>
        <button type="submit">Filter</button>
        </form>
        <p class="muted">Times are UTC; for completed, failed and cancelled jobs the time filter is on when they finished, otherwise on when they were created. Newest first.</p>
        {{#bulkRetry}}<p><a class="button" href="/admin/jobs/retry-failed?kind={{kindParam}}&amp;since={{sinceParam}}&amp;until={{untilParam}}">Retry every failed {{kind}} job{{#since}} since {{since}}{{/since}} …</a></p>{{/bulkRetry}}
        {{#hasRows}}
        <table class="jobs"><thead><tr><th>id</th><th>state</th><th>kind</th><th>queue</th><th>priority</th><th>attempt</th><th>created</th><th>run at</th><th>finished</th><th>last error</th></tr></thead><tbody>
        {{#rows}}<tr><td><a href="/admin/jobs/{{id}}">{{id}}</a></td><td><span class="state {{state}}">{{state}}</span></td><td>{{kind}}</td><td>{{queue}}</td><td>{{priority}}</td><td>{{attempt}}/{{max_attempts}}</td><td>{{created}}</td><td>{{run_at}}</td><td>{{finished}}</td><td class="error">{{last_error}}</td></tr>
        {{/rows}}
        </tbody></table>
        {{/hasRows}}
        {{^rows}}<p>No job matches.</p>{{/rows}}
        {{#next}}<p><a href="/admin/jobs?{{next}}">Older jobs →</a></p>{{/next}}
        """

    static let job = """
        <h1>Job {{id}}</h1>
        <div id="job"{{^final}} data-refresh="/admin/jobs/{{id}}/fragment" data-interval="{{refreshMs}}"{{/final}}>{{{fragment}}}</div>
        """

    static let jobFragment = """
        {{#final}}<span data-final hidden></span>{{/final}}
        <table class="fields">
        <tr><th>state</th><td><span class="state {{state}}" id="job-state">{{state}}</span></td></tr>
        <tr><th>kind</th><td><a href="/admin/jobs?kind={{kindParam}}">{{kind}}</a></td></tr>
        <tr><th>queue</th><td>{{queue}}</td></tr>
        <tr><th>priority</th><td>{{priority}}</td></tr>
        <tr><th>attempts</th><td>{{attempt}} of {{max_attempts}}</td></tr>
        <tr><th>unique key</th><td>{{unique_key}}</td></tr>
        <tr><th>worker</th><td>{{locked_by}}{{#lease}} (lease until {{lease}}){{/lease}}</td></tr>
        </table>
        <h2>Timings (UTC)</h2>
        <table class="fields">
        <tr><th>created</th><td>{{created}}</td></tr>
        <tr><th>run at</th><td>{{run_at}}</td></tr>
        <tr><th>last attempt started</th><td>{{attempted}}</td></tr>
        <tr><th>finished</th><td>{{finished}}</td></tr>
        <tr><th>waited before first start</th><td>{{waited}}</td></tr>
        <tr><th>created → finished</th><td>{{total}}</td></tr>
        </table>
        {{#canAct}}
        <div class="actions">
        {{#canRetry}}<form method="post" action="/admin/jobs/{{id}}/retry" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <label>extra attempts <input name="extra_attempts" value="1" size="3" inputmode="numeric"></label> <button type="submit" id="retry">Retry now</button></form>{{/canRetry}}
        {{#canCancel}}<form method="post" action="/admin/jobs/{{id}}/cancel" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="danger" id="cancel">Cancel</button></form>{{/canCancel}}
        </div>
        {{/canAct}}
        <h2>Arguments</h2>
        <pre class="args">{{args}}</pre>
        <h2>Error history ({{errorCount}})</h2>
        {{#hasErrors}}
        <table class="errors"><thead><tr><th>attempt</th><th>at</th><th>worker</th><th>error</th></tr></thead><tbody>
        {{#errors}}<tr><td>{{attempt}}</td><td>{{at}}</td><td>{{worker}}</td><td><pre>{{error}}</pre></td></tr>{{/errors}}
        </tbody></table>
        {{/hasErrors}}
        {{^errors}}<p>No error recorded.</p>{{/errors}}
        """

    static let retryFailed = """
        <h1>Retry failed jobs</h1>
        <p>This re-queues <strong id="touch-count">{{count}}</strong> failed <strong>{{kind}}</strong> job(s) that failed between {{sinceLabel}} and {{until}} UTC, through <code>herald_retry_failed_jobs</code>. Each gets {{extra}} more attempt(s).</p>
        {{#hasCount}}{{#canAct}}
        <form method="post" action="/admin/jobs/retry-failed">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="kind" value="{{kind}}">
        <input type="hidden" name="since" value="{{since}}"><input type="hidden" name="until" value="{{until}}">
        <label>extra attempts <input name="extra_attempts" value="{{extra}}" size="3" inputmode="numeric"></label>
        <button type="submit" id="confirm-retry">Retry {{count}} job(s)</button> <a href="/admin/jobs?state=failed&amp;kind={{kindParam}}">Back</a>
        </form>
        {{/canAct}}{{/hasCount}}
        {{^canAct}}<p class="muted">Your login can look but not act.</p>{{/canAct}}
        """

    static let people = """
        <h1>People and notifications</h1>
        <form method="get" action="/admin/people" class="filters">
        <label>User id or email address <input name="q" value="{{q}}" size="44" required></label> <button type="submit" id="search">Search</button>
        </form>
        {{#searched}}
        {{#hasPrefs}}
        <h2>User</h2>
        <table><thead><tr><th>user id</th><th>tenant</th><th>email</th><th>phone</th><th>SMS</th><th>digest</th><th>time zone</th></tr></thead><tbody>
        {{#prefs}}<tr><td><a href="/admin/people?q={{user_id}}">{{user_id}}</a></td><td>{{tenant_id}}</td><td>{{email}}</td><td>{{phone}}</td><td>{{sms_enabled}}</td><td>{{digest_frequency}} at {{digest_hour}}:00</td><td>{{time_zone}}</td></tr>{{/prefs}}
        </tbody></table>
        {{/hasPrefs}}
        {{#addresses}}
        <h2>Address {{email}}</h2>
        {{#suppressed}}
        <p class="warn" id="suppressed">Suppressed since {{since}} ({{source}}{{#bounce_type}}, {{bounce_type}} bounce{{/bounce_type}}): {{reason}}</p>
        {{#cause}}<p>Caused by: the {{bounce_type}} bounce of the email to {{recipient_email}} at {{bounced_at}} (thread <a href="/admin/discussions/{{thread_id}}">{{thread_id}}</a>): {{bounce_reason}}</p>{{/cause}}
        {{#canAct}}
        <form method="post" action="/admin/people/unsuppress" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="email" value="{{email}}"><input type="hidden" name="q" value="{{q}}">
        <label>Reason for removing <input name="note" required size="40"></label> <button type="submit" id="unsuppress">Remove the suppression</button>
        </form>
        {{/canAct}}
        {{/suppressed}}
        {{^suppressed}}<p>Not suppressed.</p>{{/suppressed}}
        {{#hasRemovals}}<p class="muted">Earlier removals:</p><ul>{{#removals}}<li>{{at}} by {{actor}}: {{detail}}</li>{{/removals}}</ul>{{/hasRemovals}}
        {{/addresses}}
        <h2>Notifications (latest 50)</h2>
        {{#hasNotifications}}
        <table class="notifications"><thead><tr><th>created</th><th>type</th><th>priority</th><th>route</th><th>skip reason</th><th>email sent</th><th>delivered</th><th>bounced</th><th>SMS</th><th>digest</th><th>route job</th></tr></thead><tbody>
        {{#notifications}}<tr><td>{{created}}</td><td>{{type}}</td><td>{{priority}}</td><td>{{route}}</td><td>{{skip_reason}}</td><td>{{email_sent}}</td><td>{{delivered}}</td><td>{{bounced}}</td><td>{{sms_sent}}{{#sms_status}} ({{sms_status}}){{/sms_status}}{{#sms_error}} {{sms_error}}{{/sms_error}}</td><td>{{digest}}</td><td>{{#job_id}}<a href="/admin/jobs/{{job_id}}">{{job_state}}</a>{{/job_id}}</td></tr>{{/notifications}}
        </tbody></table>
        {{/hasNotifications}}
        {{^notifications}}<p>None.</p>{{/notifications}}
        <h2>Digests</h2>
        {{#hasDigests}}
        <table><thead><tr><th>period</th><th>frequency</th><th>items</th><th>email sent</th><th>delivered</th><th>bounced</th></tr></thead><tbody>
        {{#digests}}<tr><td>{{period_key}}</td><td>{{frequency}}</td><td>{{notification_count}}</td><td>{{email_sent}}</td><td>{{delivered}}</td><td>{{bounced}}</td></tr>{{/digests}}
        </tbody></table>
        {{/hasDigests}}
        {{^digests}}<p>None.</p>{{/digests}}
        {{#hasTracking}}
        <h2>Discussion emails to this address</h2>
        <table><thead><tr><th>thread</th><th>sent</th><th>delivered</th><th>opens</th><th>clicks</th><th>bounce</th></tr></thead><tbody>
        {{#tracking}}<tr><td><a href="/admin/discussions/{{thread_id}}">{{subject}}</a></td><td>{{sent}}</td><td>{{delivered}}</td><td>{{open_count}}</td><td>{{click_count}}</td><td>{{bounce_type}} {{bounce_reason}}</td></tr>{{/tracking}}
        </tbody></table>
        {{/hasTracking}}
        {{^found}}<p id="nothing-found">Nothing found for “{{q}}”.</p>{{/found}}
        {{/searched}}
        """

    static let discussions = """
        <h1>Discussions</h1>
        <h2>Inbound replies held back</h2>
        <p class="muted">Replies Herald did not thread: sent from an address that is not the participant's, marked as spam, automatic, or matching no thread. Release threads a reply into the thread it claimed, as written by its real sender; discard hides it here (the row is kept).</p>
        {{#hasHeld}}
        <table class="held"><thead><tr><th>received</th><th>reason</th><th>from</th><th>reply address of</th><th>subject</th><th>preview</th><th>thread</th><th></th></tr></thead><tbody>
        {{#held}}<tr id="held-{{id}}"><td>{{received}}</td><td>{{status}}{{#reason}} ({{reason}}){{/reason}}</td><td>{{from_email}}</td><td>{{claimed_email}}</td><td>{{subject}}</td><td class="preview">{{preview}}</td>
        <td>{{#thread_id}}<a href="/admin/discussions/{{thread_id}}">{{thread_subject}}</a>{{/thread_id}}</td>
        <td>{{#canAct}}{{#releasable}}<form method="post" action="/admin/inbound/{{id}}/release" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="release">Release</button></form>{{/releasable}}
        <form method="post" action="/admin/inbound/{{id}}/discard" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input name="note" placeholder="why" size="10"> <button type="submit" class="danger discard">Discard</button></form>{{/canAct}}</td></tr>
        {{/held}}
        </tbody></table>
        {{/hasHeld}}
        {{^held}}<p>None.</p>{{/held}}
        <h2>Threads</h2>
        <form method="get" action="/admin/discussions" class="filters"><label>Thread id, email thread id or subject <input name="q" value="{{q}}" size="40"></label> <button type="submit">Find</button></form>
        {{#hasThreads}}
        <table><thead><tr><th>created</th><th>subject</th><th>messages</th><th>email thread id</th></tr></thead><tbody>
        {{#threads}}<tr><td>{{created}}</td><td><a href="/admin/discussions/{{id}}">{{subject}}</a></td><td>{{messages}}</td><td>{{email_thread_id}}</td></tr>{{/threads}}
        </tbody></table>
        {{/hasThreads}}
        {{^threads}}<p>No thread.</p>{{/threads}}
        """

    static let thread = """
        <h1>{{subject}}</h1>
        <p class="muted">Thread {{id}} · email thread id {{email_thread_id}} · tenant {{tenant_id}} · created {{created}} UTC</p>
        {{#stats}}
        <h2>Stats</h2>
        <table class="stats"><thead><tr><th>emails</th><th>sent</th><th>delivered</th><th>opened</th><th>clicked</th><th>bounced</th><th>open rate</th></tr></thead>
        <tbody><tr><td>{{total}}</td><td>{{sent}}</td><td>{{delivered}}</td><td>{{opened}}</td><td>{{clicked}}</td><td>{{bounced}}</td><td>{{open_rate}} %</td></tr></tbody></table>
        {{/stats}}
        <h2>Messages</h2>
        {{#messages}}{{> message}}{{/messages}}
        {{^messages}}<p>No message.</p>{{/messages}}
        <h2>Tracking per recipient</h2>
        {{#hasTracking}}
        <table class="tracking"><thead><tr><th>message</th><th>recipient</th><th>type</th><th>sent</th><th>delivered</th><th>opened</th><th>clicked</th><th>bounced</th></tr></thead><tbody>
        {{#tracking}}<tr><td>{{message_short}}</td><td><a href="/admin/people?q={{recipientParam}}">{{recipient_email}}</a></td><td>{{recipient_type}}</td><td>{{sent}}</td><td>{{delivered}}</td><td>{{opened}}{{#open_count}} ({{open_count}}×){{/open_count}}</td><td>{{clicked}}{{#click_count}} ({{click_count}}×){{/click_count}}</td><td>{{#bounce_type}}{{bounced}} {{bounce_type}}: {{bounce_reason}}{{/bounce_type}}</td></tr>{{/tracking}}
        </tbody></table>
        {{/hasTracking}}
        {{^tracking}}<p>No email sent yet.</p>{{/tracking}}
        {{#hasHeld}}<p><a href="/admin/discussions">{{heldCount}} held inbound repl(ies) claim this thread</a></p>{{/hasHeld}}
        """

    static let message = """
        <article class="message {{source}}">
        <header><strong>{{author}}</strong> · {{source}} · {{created}} UTC</header>
        <p class="body">{{body}}</p>
        <dl><dt>Message-ID</dt><dd>{{email_message_id}}</dd><dt>In-Reply-To</dt><dd>{{email_in_reply_to}}</dd></dl>
        </article>
        """
}
