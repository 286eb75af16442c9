<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChatPanel</name>
    <message>
        <source>Rename conversation</source>
        <translation>重命名会话</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>

**Error:** %1 %2</source>
        <translation>

**错误：** %1 %2</translation>
    </message>
    <message>
        <source>TTFT %1 ms (server %2) · total %3 ms (server %4) · %5 · worker %6 · %7</source>
        <translation>首 token %1 ms（服务器 %2）· 总计 %3 ms（服务器 %4）· %5 · worker %6 · %7</translation>
    </message>
    <message>
        <source>stopped after %1 ms</source>
        <translation>%1 ms 后停止</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>⏳ waiting for the server… %1 s (no response yet: is the loop blocked?)</source>
        <translation>⏳ 等待服务器… %1 秒（尚无响应：事件循环被阻塞了吗？）</translation>
    </message>
    <message>
        <source>accepted by worker %1 (%2), waiting for the first token… %3 s</source>
        <translation>已被 worker %1（%2）接收，等待第一个 token… %3 秒</translation>
    </message>
    <message>
        <source>streaming… %1 s</source>
        <translation>流式输出中… %1 秒</translation>
    </message>
    <message>
        <source>**The server refused this message: it is too large (HTTP 413).** %1

Shorten the message or the conversation's system prompt.</source>
        <translation>**服务器拒绝了这条消息：它太大了（HTTP 413）。** %1

请缩短消息或本会话的系统提示词。</translation>
    </message>
    <message>
        <source>**The server refused this message (HTTP %1 %2).** %3</source>
        <translation>**服务器拒绝了这条消息（HTTP %1 %2）。** %3</translation>
    </message>
    <message>
        <source>failed after %1 ms</source>
        <translation>%1 ms 后失败</translation>
    </message>
    <message numerus="yes">
        <source>Resend the edited message? It replaces the original and the %n message(s) after it.</source>
        <translation>
            <numerusform>重新发送编辑后的消息？它将替换原消息及其后的 %n 条消息。</numerusform>
        </translation>
    </message>
    <message>
        <source>The history keeps the replaced messages.</source>
        <translation>历史记录会保留被替换的消息。</translation>
    </message>
    <message>
        <source>The history does not keep replaced messages: they will be deleted and cannot be recovered.</source>
        <translation>历史记录不保留被替换的消息：它们将被删除，且无法恢复。</translation>
    </message>
    <message>
        <source>Edit and resend</source>
        <translation>编辑并重新发送</translation>
    </message>
    <message>
        <source>Message copied.</source>
        <translation>已复制消息。</translation>
    </message>
    <message>
        <source>Code copied.</source>
        <translation>已复制代码。</translation>
    </message>
    <message>
        <source>The settings were not saved (HTTP %1): %2</source>
        <translation>设置未保存（HTTP %1）：%2</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
</context>
<context>
    <name>ChatSearch</name>
    <message>
        <source>Search all conversations (Ctrl+F)</source>
        <translation>搜索所有会话（Ctrl+F）</translation>
    </message>
    <message>
        <source>title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>you</source>
        <translation>你</translation>
    </message>
    <message>
        <source>assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>Nothing found for “%1”.</source>
        <translation>没有找到“%1”。</translation>
    </message>
    <message numerus="yes">
        <source>%n result(s) for “%1”:</source>
        <translation>
            <numerusform>“%1”共 %n 条结果：</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ChatSettingsDialog</name>
    <message>
        <source>Conversation settings</source>
        <translation>会话设置</translation>
    </message>
    <message>
        <source>e.g. You are a concise assistant. Answer in English.</source>
        <translation>例如：你是一个简洁的助手。请用中文回答。</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>server's</source>
        <translation>使用服务器设置</translation>
    </message>
    <message>
        <source>Sent to the server's provider instead of its configured model. Known: %1</source>
        <translation>代替服务器所配置的模型发送给其提供方。已知模型：%1</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>最大 token 数</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Enter sends</source>
        <translation>回车发送</translation>
    </message>
    <message>
        <source>Stop the reply (Esc)</source>
        <translation>停止回复（Esc）</translation>
    </message>
    <message>
        <source>On: Enter sends and Shift+Enter starts a new line. Ctrl+Enter always sends.</source>
        <translation>开启时：回车发送，Shift+回车换行。Ctrl+回车始终发送。</translation>
    </message>
    <message>
        <source>Message (Enter to send, Shift+Enter for a new line)</source>
        <translation>消息（回车发送，Shift+回车换行）</translation>
    </message>
    <message>
        <source>Message (Ctrl+Enter to send)</source>
        <translation>消息（Ctrl+Enter 发送）</translation>
    </message>
    <message>
        <source>✎ Editing a sent message: sending replaces it and every message after it. Esc cancels.</source>
        <translation>✎ 正在编辑已发送的消息：发送后将替换它及其后的所有消息。按 Esc 取消。</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>System prompt and model settings of this conversation</source>
        <translation>本会话的系统提示词和模型设置</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Save this conversation as Markdown or as JSON</source>
        <translation>将本会话保存为 Markdown 或 JSON</translation>
    </message>
    <message>
        <source>Markdown…</source>
        <translation>Markdown…</translation>
    </message>
    <message>
        <source>JSON (OpenAI messages)…</source>
        <translation>JSON（OpenAI messages 格式）…</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>%1 messages</source>
        <translation>%1 条消息</translation>
    </message>
</context>
<context>
    <name>MessageView</name>
    <message>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
    <message>
        <source>Send a message: the reply streams here token by token.</source>
        <translation>发送一条消息：回复会在这里逐个 token 流式显示。</translation>
    </message>
    <message>
        <source>**You**</source>
        <translation>**你**</translation>
    </message>
    <message>
        <source>**Assistant**</source>
        <translation>**助手**</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>✎ Edit</source>
        <translation>✎ 编辑</translation>
    </message>
    <message>
        <source>⟳ Regenerate</source>
        <translation>⟳ 重新生成</translation>
    </message>
    <message>
        <source>_…_</source>
        <translation>_…_</translation>
    </message>
</context>
<context>
    <name>ClientLegend</name>
    <message>
        <source>(not sent)</source>
        <translation>（未发送）</translation>
    </message>
    <message>
        <source>%1 more</source>
        <translation>另有 %1 个</translation>
    </message>
    <message>
        <source>Colour: who sent it (hover a request for its client)</source>
        <translation>颜色：请求的发送者（悬停在请求上可查看其客户端）</translation>
    </message>
</context>
<context>
    <name>ClientColourMenu</name>
    <message>
        <source>Colour requests by</source>
        <translation>请求着色依据</translation>
    </message>
    <message>
        <source>Phase</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Client address</source>
        <translation>客户端地址</translation>
    </message>
    <message>
        <source>User-Agent</source>
        <translation>User-Agent</translation>
    </message>
    <message>
        <source>X-LoopScope-User (each user)</source>
        <translation>X-LoopScope-User（每个用户）</translation>
    </message>
    <message>
        <source>X-LoopScope-User group (e.g. Locust worker)</source>
        <translation>X-LoopScope-User 分组（例如 Locust worker）</translation>
    </message>
</context>
<context>
    <name>CounterPlot</name>
    <message>
        <source>Export &quot;%1&quot; as %2…</source>
        <translation>将“%1”导出为 %2…</translation>
    </message>
    <message>
        <source>Export plot</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>%1 files (*.%2)</source>
        <translation>%1 文件 (*.%2)</translation>
    </message>
</context>
<context>
    <name>CounterPlotsPanel</name>
    <message>
        <source>Database connections</source>
        <translation>数据库连接</translation>
    </message>
    <message>
        <source>connections</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>busy</source>
        <translation>使用中</translation>
    </message>
    <message>
        <source>pool size</source>
        <translation>连接池大小</translation>
    </message>
    <message>
        <source>waiting for a connection</source>
        <translation>等待连接</translation>
    </message>
    <message>
        <source>In flight &amp; waiting</source>
        <translation>处理中与等待中</translation>
    </message>
    <message>
        <source>requests</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>in flight</source>
        <translation>处理中</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>等待</translation>
    </message>
    <message>
        <source>Thread pool</source>
        <translation>线程池</translation>
    </message>
    <message>
        <source>threads</source>
        <translation>线程</translation>
    </message>
    <message>
        <source>active</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队</translation>
    </message>
    <message>
        <source>Event-loop lag</source>
        <translation>事件循环延迟</translation>
    </message>
    <message>
        <source>lag (ms)</source>
        <translation>延迟 (ms)</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>吞吐量</translation>
    </message>
    <message>
        <source>req/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <source>completed / s</source>
        <translation>每秒完成</translation>
    </message>
    <message>
        <source>Latency per second</source>
        <translation>每秒延迟分位数</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>毫秒</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>worker-%1</source>
        <translation>worker-%1</translation>
    </message>
    <message>
        <source>accept queue</source>
        <translation>接收队列</translation>
    </message>
    <message>
        <source>workers</source>
        <translation>worker 数</translation>
    </message>
    <message>
        <source>CPU &amp; memory</source>
        <translation>CPU 与内存</translation>
    </message>
    <message>
        <source>% / MB</source>
        <translation>% / MB</translation>
    </message>
    <message>
        <source>process CPU %</source>
        <translation>进程 CPU %</translation>
    </message>
    <message>
        <source>server threads CPU %</source>
        <translation>服务器线程 CPU %</translation>
    </message>
    <message>
        <source>pool processes CPU %</source>
        <translation>进程池进程 CPU %</translation>
    </message>
    <message>
        <source>RSS MB</source>
        <translation>常驻内存 MB</translation>
    </message>
</context>
<context>
    <name>DistributionPlot</name>
    <message>
        <source>latency (ms)</source>
        <translation>延迟 (ms)</translation>
    </message>
    <message>
        <source>share finished</source>
        <translation>已完成比例</translation>
    </message>
</context>
<context>
    <name>LessonBar</name>
    <message>
        <source>Replay speed</source>
        <translation>回放速度</translation>
    </message>
    <message>
        <source>Seek</source>
        <translation>跳转</translation>
    </message>
    <message>
        <source>Large fonts</source>
        <translation>大字体</translation>
    </message>
    <message>
        <source>Exit lesson</source>
        <translation>退出课堂模式</translation>
    </message>
    <message>
        <source>&lt;b&gt;Lesson&lt;/b&gt;</source>
        <translation>&lt;b&gt;课堂&lt;/b&gt;</translation>
    </message>
    <message>
        <source>%1 s / %2 s</source>
        <translation>%1 秒 / %2 秒</translation>
    </message>
    <message>
        <source>step %1/%2</source>
        <translation>第 %1/%2 步</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
</context>
<context>
    <name>LessonScript</name>
    <message>
        <source>%1 · variant %2: %3</source>
        <translation>%1 · 方案 %2：%3</translation>
    </message>
    <message>
        <source>%1 simulated users send their requests at once to a %2-mode server.</source>
        <translation>%1 个模拟用户同时向 %2 模式的服务器发送请求。</translation>
    </message>
    <message>
        <source>Watch the worker lane: a red strip means the event loop is blocked and nobody is served.</source>
        <translation>注意 worker 泳道：红色条表示事件循环被阻塞，没有任何人得到服务。</translation>
    </message>
    <message>
        <source>Measured: %1 requests, p50 %2 s, p95 %3 s, all done after %4 s.</source>
        <translation>实测：%1 个请求，p50 %2 秒，p95 %3 秒，全部在 %4 秒后完成。</translation>
    </message>
</context>
<context>
    <name>LlmSettingsDialog</name>
    <message>
        <source>Language model</source>
        <translation>语言模型</translation>
    </message>
    <message>
        <source>Simulated (no network, reproducible)</source>
        <translation>模拟（无网络，可复现）</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供方</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>基础 URL</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>leave empty to keep the stored key</source>
        <translation>留空以保留已存储的密钥</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>Key variable</source>
        <translation>密钥环境变量</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>First-token timeout</source>
        <translation>首 token 超时</translation>
    </message>
    <message>
        <source>Total timeout</source>
        <translation>总超时</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>Applied: %1</source>
        <translation>已应用：%1</translation>
    </message>
    <message>
        <source>The simulated model needs no key.</source>
        <translation>模拟模型不需要密钥。</translation>
    </message>
    <message>
        <source>The key is kept in the system keychain (entry “%1”); if no keychain is running, it is read from the environment variable %2. It is never written to the settings file or to reports.</source>
        <translation>密钥保存在系统钥匙串中（条目“%1”）；如果没有运行钥匙串服务，则从环境变量 %2 读取。密钥不会写入设置文件或报告。</translation>
    </message>
    <message>
        <source>This build has no keychain support: the key is read from the environment variable %1 and never stored.</source>
        <translation>此版本不支持钥匙串：密钥从环境变量 %1 读取，从不存储。</translation>
    </message>
    <message>
        <source>The base URL must be an http:// or https:// address.</source>
        <translation>基础 URL 必须是 http:// 或 https:// 地址。</translation>
    </message>
    <message>
        <source>%1 needs an API key: type it above, or set the environment variable %2.</source>
        <translation>%1 需要 API 密钥：请在上方输入，或设置环境变量 %2。</translation>
    </message>
    <message>
        <source>No keychain available (%1): the key is used for this session only; set %2 to keep it.</source>
        <translation>没有可用的钥匙串（%1）：密钥仅用于本次会话；设置 %2 以保留它。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>recorded</source>
        <translation>录制</translation>
    </message>
    <message>
        <source>(client side not measured: recorded server-side)  </source>
        <translation>（客户端未测得：服务器端录制）  </translation>
    </message>
    <message>
        <source>LoopScope</source>
        <translation>LoopScope</translation>
    </message>
    <message>
        <source>Click a request in a timeline to see every timing.</source>
        <translation>点击时间线中的请求以查看全部时间。</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Simulated users</source>
        <translation>模拟用户</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Request details</source>
        <translation>请求详情</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行记录</translation>
    </message>
    <message>
        <source>%1/%2 · %3 users · %4</source>
        <translation>%1/%2 · %3 个用户 · %4</translation>
    </message>
    <message>
        <source>burst from the users panel</source>
        <translation>来自用户面板的突发请求</translation>
    </message>
    <message>
        <source>burst · %1 users · %2</source>
        <translation>突发 · %1 个用户 · %2</translation>
    </message>
    <message>
        <source>the run has no variants</source>
        <translation>该运行没有方案</translation>
    </message>
    <message>
        <source>Opened %1 (%2 variant(s))</source>
        <translation>已打开 %1（%2 个方案）</translation>
    </message>
    <message>
        <source>  Showing run: &lt;b&gt;%1&lt;/b&gt;  </source>
        <translation>  正在显示运行：&lt;b&gt;%1&lt;/b&gt;  </translation>
    </message>
    <message>
        <source>  Lesson: &lt;b&gt;%1&lt;/b&gt;  </source>
        <translation>  课堂：&lt;b&gt;%1&lt;/b&gt;  </translation>
    </message>
    <message>
        <source>Language model not set up: %1 (Server &gt; Language model…)</source>
        <translation>语言模型未设置：%1（服务器 &gt; 语言模型…）</translation>
    </message>
</context>
<context>
    <name>LiveController</name>
    <message>
        <source>showing a saved run · %1 live requests recorded</source>
        <translation>正在显示已保存的运行 · 已记录 %1 个实时请求</translation>
    </message>
    <message>
        <source>%1 requests · %2 in flight · %3 waiting · pull %4 ms</source>
        <translation>%1 个请求 · %2 处理中 · %3 等待 · 拉取 %4 ms</translation>
    </message>
</context>
<context>
    <name>RangeDescription</name>
    <message>
        <source>waiting for a busy loop (ms)</source>
        <translation>等待繁忙的事件循环 (ms)</translation>
    </message>
    <message>
        <source>&lt;b&gt;Range %1 s – %2 s&lt;/b&gt; (%3 s)&lt;br&gt;</source>
        <translation>&lt;b&gt;区间 %1 秒 – %2 秒&lt;/b&gt;（%3 秒）&lt;br&gt;</translation>
    </message>
    <message>
        <source>%1 requests arrived (%2/s) · %3 ok · %4 failed · %5 still in flight&lt;br&gt;</source>
        <translation>到达 %1 个请求（%2/秒）· %3 成功 · %4 失败 · %5 仍在处理&lt;br&gt;</translation>
    </message>
    <message>
        <source>modes: %1 blocking · %2 executor · %3 async</source>
        <translation>模式：%1 阻塞 · %2 线程池 · %3 异步</translation>
    </message>
    <message>
        <source>total (ms)</source>
        <translation>总计 (ms)</translation>
    </message>
    <message>
        <source>first token (ms)</source>
        <translation>首 token (ms)</translation>
    </message>
    <message>
        <source>wait before start (ms)</source>
        <translation>开始前等待 (ms)</translation>
    </message>
    <message>
        <source>&lt;small&gt;Latencies from the client&apos;s send time where known, else from the server&apos;s read. Shift+drag selects a range; a click clears it.&lt;/small&gt;</source>
        <translation>&lt;small&gt;已知客户端发送时间时从发送算起，否则从服务器读取算起。Shift+拖动选择区间；单击清除。&lt;/small&gt;</translation>
    </message>
</context>
<context>
    <name>ViewToolBar</name>
    <message>
        <source>View</source>
        <translation>视图</translation>
    </message>
    <message>
        <source>Width of the visible time window</source>
        <translation>可见时间窗口宽度</translation>
    </message>
    <message>
        <source>%1 s window</source>
        <translation>%1 秒窗口</translation>
    </message>
    <message>
        <source>%1 min window</source>
        <translation>%1 分钟窗口</translation>
    </message>
    <message>
        <source>Follow live</source>
        <translation>跟随实时</translation>
    </message>
    <message>
        <source>Keep the newest requests in view (zooming or panning pauses it)</source>
        <translation>保持最新请求可见（缩放或平移会暂停）</translation>
    </message>
    <message>
        <source>Fit all</source>
        <translation>全部显示</translation>
    </message>
    <message>
        <source>Show everything recorded so far</source>
        <translation>显示迄今记录的全部内容</translation>
    </message>
    <message>
        <source> Timeline: </source>
        <translation> 时间线：</translation>
    </message>
    <message>
        <source>Back to live</source>
        <translation>返回实时</translation>
    </message>
    <message>
        <source>Leave the saved run and show the server again</source>
        <translation>离开已保存的运行，重新显示服务器</translation>
    </message>
    <message>
        <source>  wheel: zoom · Ctrl+wheel: rows · drag: pan · Shift+drag: range stats · click: details · double-click: live</source>
        <translation>  滚轮：缩放 · Ctrl+滚轮：行 · 拖动：平移 · Shift+拖动：区间统计 · 单击：详情 · 双击：实时</translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message>
        <source>Open run</source>
        <translation>打开运行</translation>
    </message>
    <message>
        <source>LoopScope runs (run.json *.json)</source>
        <translation>LoopScope 运行 (run.json *.json)</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>Save run</source>
        <translation>保存运行</translation>
    </message>
    <message>
        <source>LoopScope run (*.json)</source>
        <translation>LoopScope 运行 (*.json)</translation>
    </message>
    <message>
        <source>Export report to</source>
        <translation>导出报告到</translation>
    </message>
    <message>
        <source>%1 file(s) written to %2</source>
        <translation>已写入 %1 个文件到 %2</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <source>showing a saved run · %1 live requests recorded</source>
        <translation>正在显示已保存的运行 · 已记录 %1 个实时请求</translation>
    </message>
    <message>
        <source>%1 requests · %2 in flight · %3 waiting · pull %4 ms</source>
        <translation>%1 个请求 · %2 处理中 · %3 等待 · 拉取 %4 ms</translation>
    </message>
    <message>
        <source>%1/%2 · %3 users · %4</source>
        <translation>%1/%2 · %3 个用户 · %4</translation>
    </message>
    <message>
        <source>burst from the users panel</source>
        <translation>来自用户面板的突发请求</translation>
    </message>
    <message>
        <source>burst · %1 users · %2</source>
        <translation>突发 · %1 个用户 · %2</translation>
    </message>
    <message>
        <source>the run has no variants</source>
        <translation>该运行没有方案</translation>
    </message>
    <message>
        <source>Opened %1 (%2 variant(s))</source>
        <translation>已打开 %1（%2 个方案）</translation>
    </message>
    <message>
        <source>  Showing run: &lt;b&gt;%1&lt;/b&gt;  </source>
        <translation>  正在显示运行：&lt;b&gt;%1&lt;/b&gt;  </translation>
    </message>
    <message>
        <source>  Lesson: &lt;b&gt;%1&lt;/b&gt;  </source>
        <translation>  课堂：&lt;b&gt;%1&lt;/b&gt;  </translation>
    </message>
    <message>
        <source>&lt;b&gt;Range %1 s – %2 s&lt;/b&gt; (%3 s)&lt;br&gt;</source>
        <translation>&lt;b&gt;区间 %1 秒 – %2 秒&lt;/b&gt;（%3 秒）&lt;br&gt;</translation>
    </message>
    <message>
        <source>%1 requests arrived (%2/s) · %3 ok · %4 failed · %5 still in flight&lt;br&gt;</source>
        <translation>到达 %1 个请求（%2/秒）· %3 成功 · %4 失败 · %5 仍在处理&lt;br&gt;</translation>
    </message>
    <message>
        <source>modes: %1 blocking · %2 executor · %3 async</source>
        <translation>模式：%1 阻塞 · %2 线程池 · %3 异步</translation>
    </message>
    <message>
        <source>total (ms)</source>
        <translation>总计 (ms)</translation>
    </message>
    <message>
        <source>first token (ms)</source>
        <translation>首 token (ms)</translation>
    </message>
    <message>
        <source>wait before start (ms)</source>
        <translation>开始前等待 (ms)</translation>
    </message>
    <message>
        <source>waiting for a busy loop (ms)</source>
        <translation>等待繁忙的事件循环 (ms)</translation>
    </message>
    <message>
        <source>&lt;small&gt;Latencies from the client&apos;s send time where known, else from the server&apos;s read. Shift+drag selects a range; a click clears it.&lt;/small&gt;</source>
        <translation>&lt;small&gt;已知客户端发送时间时从发送算起，否则从服务器读取算起。Shift+拖动选择区间；单击清除。&lt;/small&gt;</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Export all plots as %1…</source>
        <translation>将所有图表导出为 %1…</translation>
    </message>
    <message>
        <source>Export plots to</source>
        <translation>导出图表到</translation>
    </message>
    <message>
        <source>%1 plot(s) written to %2</source>
        <translation>已写入 %1 个图表到 %2</translation>
    </message>
    <message>
        <source>&amp;Open run…</source>
        <translation>打开运行(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save run…</source>
        <translation>保存运行(&amp;S)…</translation>
    </message>
    <message>
        <source>Export &amp;report (HTML, PDF, CSV, JSON, trace)…</source>
        <translation>导出报告(&amp;R)（HTML、PDF、CSV、JSON、trace）…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Dark palette</source>
        <translation>深色配色(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Follow live</source>
        <translation>跟随实时(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Large fonts (classroom)</source>
        <translation>大字体（课堂）(&amp;L)</translation>
    </message>
    <message>
        <source>Lesson &amp;replay of the selected run</source>
        <translation>课堂回放所选运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>How to read the timeline</source>
        <translation>如何阅读时间线</translation>
    </message>
    <message>
        <source>Reading the timeline</source>
        <translation>阅读时间线</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Requests&lt;/b&gt;: one row per request in arrival order; colours show what it was doing.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Threads&lt;/b&gt;: one lane per worker loop and pool thread. A red strip on a worker lane means that loop was blocked and could not accept or answer anyone.&lt;/p&gt;&lt;p&gt;Wheel: zoom time · Ctrl+wheel: zoom rows · drag: pan · Shift+drag: statistics of a time range · click: select · double-click or F: follow live.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;请求&lt;/b&gt;：按到达顺序每个请求一行；颜色表示它当时在做什么。&lt;/p&gt;&lt;p&gt;&lt;b&gt;线程&lt;/b&gt;：每个 worker 事件循环和线程池线程一条泳道。worker 泳道上的红色条表示该事件循环被阻塞，无法接收或响应任何人。&lt;/p&gt;&lt;p&gt;滚轮：缩放时间 · Ctrl+滚轮：缩放行 · 拖动：平移 · Shift+拖动：时间区间统计 · 单击：选择 · 双击或 F：跟随实时。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About LoopScope</source>
        <translation>关于 LoopScope</translation>
    </message>
    <message>
        <source>LoopScope %1: see concurrency in a chat/LLM server.</source>
        <translation>LoopScope %1：看见聊天/LLM 服务器中的并发。</translation>
    </message>
    <message>
        <source>Lan&amp;guage</source>
        <translation>语言(&amp;G)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The new language applies when LoopScope starts again.</source>
        <translation>新语言将在 LoopScope 下次启动时生效。</translation>
    </message>
    <message>
        <source>&amp;Server</source>
        <translation>服务器(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Language model…</source>
        <translation>语言模型(&amp;L)…</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>Observe services (OTLP)…</source>
        <translation>观测服务（OTLP）…</translation>
    </message>
    <message>
        <source>observed</source>
        <translation>观测</translation>
    </message>
</context>
<context>
    <name>ObservePanel</name>
    <message>
        <source>Service / instance</source>
        <translation>服务 / 实例</translation>
    </message>
    <message>
        <source>req/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <source>errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>p95 ms</source>
        <translation>p95 毫秒</translation>
    </message>
    <message>
        <source>loop lag ms</source>
        <translation>事件循环延迟 毫秒</translation>
    </message>
    <message>
        <source>clock offset ms</source>
        <translation>时钟偏差 毫秒</translation>
    </message>
    <message>
        <source>req/s: requests that ended in the last 5 s. p95: of every observed request. Loop lag: the instance's last nodejs.eventloop.delay.max (OTLP metrics). Clock offset: this host's clock minus its caller's, estimated from client/server span pairs.</source>
        <translation>请求/秒：最近 5 秒内结束的请求。p95：全部观测到的请求。事件循环延迟：该实例最近一次上报的 nodejs.eventloop.delay.max（OTLP 指标）。时钟偏差：本主机时钟减去调用方时钟，由客户端/服务端跨度对估算。</translation>
    </message>
    <message>
        <source>Counters per instance</source>
        <translation>按实例显示计数器</translation>
    </message>
    <message>
        <source>In flight, throughput and p95 per instance instead of per service (from now on).</source>
        <translation>从现在起按实例（而非按服务）显示处理中请求、吞吐量和 p95。</translation>
    </message>
    <message>
        <source>Apply clock offsets</source>
        <translation>应用时钟偏差</translation>
    </message>
    <message>
        <source>Moves every host's spans and metrics, those already received too, onto one clock by the estimated offsets (a host called by another is moved onto its caller's clock). Off: times as each host sent them.</source>
        <translation>按估算的偏差把每台主机的跨度和指标（包括已经收到的）移到同一个时钟上（被其他主机调用的主机移到其调用方的时钟上）。关闭：使用各主机发送时的时间。</translation>
    </message>
    <message>
        <source>Counters are derived from the spans and trail by the exporters' batch delay; event-loop lag, CPU and heap come from the services' metrics.</source>
        <translation>计数器由跨度推算，会滞后导出器的批处理延迟；事件循环延迟、CPU 和堆内存来自服务自身的指标。</translation>
    </message>
    <message>
        <source>Observed services</source>
        <translation>观测到的服务</translation>
    </message>
    <message>
        <source>p95 %1</source>
        <translation>p95 %1</translation>
    </message>
    <message>
        <source>%1 max</source>
        <translation>%1 最大值</translation>
    </message>
    <message>
        <source>%1 p99</source>
        <translation>%1 p99</translation>
    </message>
    <message>
        <source>%1 CPU %</source>
        <translation>%1 CPU %</translation>
    </message>
    <message>
        <source>%1 heap MB</source>
        <translation>%1 堆内存 MB</translation>
    </message>
</context>
<context>
    <name>ObserveDialog</name>
    <message>
        <source>OTLP/gRPC, the Python and .NET SDKs' default</source>
        <translation>OTLP/gRPC，Python 与 .NET SDK 的默认方式</translation>
    </message>
    <message>
        <source>HTTP port</source>
        <translation>HTTP 端口</translation>
    </message>
    <message>
        <source>gRPC port</source>
        <translation>gRPC 端口</translation>
    </message>
    <message>
        <source>Observe services (OpenTelemetry)</source>
        <translation>观测服务（OpenTelemetry）</translation>
    </message>
    <message>
        <source>127.0.0.1: this machine only; 0.0.0.0: services on other hosts too</source>
        <translation>127.0.0.1：仅本机；0.0.0.0：也接收其他主机上的服务</translation>
    </message>
    <message>
        <source>optional bearer token</source>
        <translation>可选的 bearer 令牌</translation>
    </message>
    <message>
        <source>Start receiving</source>
        <translation>开始接收</translation>
    </message>
    <message>
        <source>The environment variables for your services appear here.</source>
        <translation>服务所需的环境变量会显示在这里。</translation>
    </message>
    <message>
        <source>Not receiving.</source>
        <translation>未在接收。</translation>
    </message>
    <message>
        <source>Listen on</source>
        <translation>监听地址</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>Point your services at LoopScope (OpenTelemetry SDKs and the Collector&apos;s otlphttp exporter):</source>
        <translation>让你的服务把追踪发送到 LoopScope（OpenTelemetry SDK 以及 Collector 的 otlphttp 导出器）：</translation>
    </message>
    <message>
        <source>Cannot receive: %1</source>
        <translation>无法接收：%1</translation>
    </message>
    <message>
        <source>Stop and keep as a run</source>
        <translation>停止并保存为一次运行</translation>
    </message>
    <message>
        <source>Stopped: %1 observed request(s) kept in the Runs dock.</source>
        <translation>已停止：%1 个观测到的请求已保存在“运行记录”面板中。</translation>
    </message>
    <message>
        <source>Receiving at %1/v1/traces — %2</source>
        <translation>正在 %1/v1/traces 接收 — %2</translation>
    </message>
    <message>
        <source>clock of %1 vs %2: %3 ms (%4 client/server span pairs)</source>
        <translation>%1 与 %2 的时钟差：%3 毫秒（%4 对客户端/服务端 span）</translation>
    </message>
</context>
<context>
    <name>PhaseLegend</name>
    <message>
        <source>loop blocked</source>
        <translation>事件循环阻塞</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>GIL: held %1, waited %2, handed over %3 times</source>
        <translation>GIL：持有 %1，等待 %2，交接 %3 次</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>来自 %1</translation>
    </message>
    <message>
        <source>in flight when the recording started or stopped: shown, not counted</source>
        <translation>录制开始或结束时仍在处理中：仅显示，不计入统计</translation>
    </message>
    <message>
        <source>mode &lt;b&gt;%1&lt;/b&gt; &amp;middot; worker %2 &amp;middot; loop thread %3 &amp;middot; status %4</source>
        <translation>模式 &lt;b&gt;%1&lt;/b&gt; &amp;middot; worker %2 &amp;middot; 循环线程 %3 &amp;middot; 状态 %4</translation>
    </message>
    <message>
        <source>in flight</source>
        <translation>处理中</translation>
    </message>
    <message>
        <source>sent by the client</source>
        <translation>客户端发送</translation>
    </message>
    <message>
        <source>waited to be read (backlog)</source>
        <translation>等待被读取（backlog）</translation>
    </message>
    <message>
        <source>read by the server</source>
        <translation>服务器读取</translation>
    </message>
    <message>
        <source>waited before start</source>
        <translation>开始前等待</translation>
    </message>
    <message>
        <source>time to first token</source>
        <translation>首 token 时间</translation>
    </message>
    <message>
        <source>total (server)</source>
        <translation>总计（服务器）</translation>
    </message>
    <message>
        <source>so far</source>
        <translation>目前</translation>
    </message>
    <message>
        <source>total (client)</source>
        <translation>总计（客户端）</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>TTFT %1 ms (server)</source>
        <translation>首 token %1 ms（服务器）</translation>
    </message>
    <message>
        <source>answered in %1 ms (server)</source>
        <translation>%1 ms 内作答（服务器）</translation>
    </message>
    <message>
        <source>worker %1</source>
        <translation>worker %1</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>**System prompt:** %1

</source>
        <translation>**系统提示词：** %1

</translation>
    </message>
    <message>
        <source>**Model settings:** %1

</source>
        <translation>**模型设置：** %1

</translation>
    </message>
    <message>
        <source>## You

</source>
        <translation>## 你

</translation>
    </message>
    <message>
        <source>## Assistant

</source>
        <translation>## 助手

</translation>
    </message>
    <message>
        <source>## Timings

</source>
        <translation>## 耗时

</translation>
    </message>
    <message>
        <source>| # | Role | Sent | TTFT (ms) | Answered (ms) | Tokens | Mode | Worker |
</source>
        <translation>| # | 角色 | 发送时间 | 首 token (ms) | 作答 (ms) | Token 数 | 模式 | Worker |
</translation>
    </message>
    <message>
        <source>user</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>Export as JSON</source>
        <translation>导出为 JSON</translation>
    </message>
    <message>
        <source>Export as Markdown</source>
        <translation>导出为 Markdown</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>system prompt %1 chars</source>
        <translation>系统提示词 %1 个字符</translation>
    </message>
    <message>
        <source>model %1</source>
        <translation>模型 %1</translation>
    </message>
    <message>
        <source>temperature %1</source>
        <translation>温度 %1</translation>
    </message>
    <message>
        <source>max tokens %1</source>
        <translation>最大 token 数 %1</translation>
    </message>
    <message>
        <source>conversation settings: %1</source>
        <translation>会话设置：%1</translation>
    </message>
</context>
<context>
    <name>RecordingController</name>
    <message>
        <source>Recording every request that reaches %1 (Locust, wrk, curl, the simulated users); press Stop recording to keep it as a run</source>
        <translation>正在录制到达 %1 的每个请求（Locust、wrk、curl、模拟用户）；按“停止录制”将其保存为一次运行</translation>
    </message>
    <message>
        <source>Recorded %1 request(s) (%2 in flight at the start or stop: shown, not counted)</source>
        <translation>已录制 %1 个请求（%2 个在开始或结束时仍在处理中：仅显示，不计入统计）</translation>
    </message>
    <message>
        <source>■ Stop recording (%1 s)</source>
        <translation>■ 停止录制（%1 秒）</translation>
    </message>
</context>
<context>
    <name>ReportExporter</name>
    <message>
        <source>Writing the report…</source>
        <translation>正在写入报告…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>导出报告</translation>
    </message>
</context>
<context>
    <name>RunComparisonView</name>
    <message>
        <source> · latency server-side; client side not measured (recorded server-side)</source>
        <translation> · 延迟在服务器端测量；客户端未测得（服务器端录制）</translation>
    </message>
    <message>
        <source>Compare runs</source>
        <translation>比较运行</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <source>B − A</source>
        <translation>B − A</translation>
    </message>
    <message>
        <source>B / A</source>
        <translation>B / A</translation>
    </message>
    <message>
        <source>Latency distribution (from the intended send)</source>
        <translation>延迟分布（从计划发送时间算起）</translation>
    </message>
    <message>
        <source>Export report…</source>
        <translation>导出报告…</translation>
    </message>
    <message>
        <source>Write report.html, report.pdf, run.json, requests.csv and trace.json for both runs</source>
        <translation>为两次运行写入 report.html、report.pdf、run.json、requests.csv 和 trace.json</translation>
    </message>
    <message>
        <source>Export report to</source>
        <translation>导出报告到</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <source>%1 file(s) written to %2</source>
        <translation>已写入 %1 个文件到 %2</translation>
    </message>
</context>
<context>
    <name>RunsPanel</name>
    <message>
        <source>Every run of this session. Ctrl+click a second run to compare.</source>
        <translation>本次会话的所有运行。Ctrl+单击第二个运行进行比较。</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Show this run in the timelines and plots</source>
        <translation>在时间线和图表中显示此运行</translation>
    </message>
    <message>
        <source>Lesson replay</source>
        <translation>课堂回放</translation>
    </message>
    <message>
        <source>Replay this run slowly with the scenario&apos;s captions</source>
        <translation>配合场景字幕慢速回放此运行</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Two selected runs side by side</source>
        <translation>并排比较两个所选运行</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Report…</source>
        <translation>报告…</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>%1
    %2 requests · p95 %3 ms · %4 errors</source>
        <translation>%1
    %2 个请求 · p95 %3 ms · %4 个错误</translation>
    </message>
</context>
<context>
    <name>DatabaseFields</name>
    <message>
        <source>SQLite (embedded file)</source>
        <translation>SQLite（内嵌文件）</translation>
    </message>
    <message>
        <source>PostgreSQL server</source>
        <translation>PostgreSQL 服务器</translation>
    </message>
    <message>
        <source>Where the conversation history is kept (from the next start). PostgreSQL: the DB read and write steps are real round trips, with the driver of the mode</source>
        <translation>对话历史保存在哪里（下次启动时生效）。PostgreSQL：数据库读取和写入步骤是真实的往返，驱动方式随模式而定</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>A libpq URI or connection string (host=... dbname=...)</source>
        <translation>libpq URI 或连接字符串（host=... dbname=...）</translation>
    </message>
    <message>
        <source>PostgreSQL</source>
        <translation>PostgreSQL</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <source>When empty, the password comes from the URI, PGPASSWORD or ~/.pgpass, else from the system keychain. It is never shown or saved with the settings</source>
        <translation>留空时，密码取自 URI、PGPASSWORD 或 ~/.pgpass，否则取自系统钥匙串。密码不会显示，也不会随设置保存</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save this password in the system keychain for this user, server and database (loopscope serve and run read it too)</source>
        <translation>把该密码按用户、服务器和数据库存入系统钥匙串（loopscope serve 和 run 也会读取）</translation>
    </message>
    <message>
        <source>DB password</source>
        <translation>数据库密码</translation>
    </message>
    <message>
        <source>PostgreSQL connections in the server&apos;s pool (--db-pool; asyncpg&apos;s default is 10)</source>
        <translation>服务器连接池中的 PostgreSQL 连接数（--db-pool；asyncpg 默认 10）</translation>
    </message>
    <message>
        <source>DB pool</source>
        <translation>数据库连接池</translation>
    </message>
    <message>
        <source>type the PostgreSQL server&apos;s URI, or choose SQLite</source>
        <translation>请输入 PostgreSQL 服务器的 URI，或选择 SQLite</translation>
    </message>
    <message>
        <source>the password field</source>
        <translation>密码栏</translation>
    </message>
    <message>
        <source>SQLite</source>
        <translation>SQLite</translation>
    </message>
    <message>
        <source>, password from %1</source>
        <translation>，密码来自 %1</translation>
    </message>
    <message>
        <source>PostgreSQL %1 (%2 connections%3)</source>
        <translation>PostgreSQL %1（%2 个连接%3）</translation>
    </message>
    <message>
        <source>type the password first</source>
        <translation>请先输入密码</translation>
    </message>
    <message>
        <source>Password saved in the system keychain as %1</source>
        <translation>密码已存入系统钥匙串，条目 %1</translation>
    </message>
    <message>
        <source>Password not saved: %1</source>
        <translation>密码未保存：%1</translation>
    </message>
</context>
<context>
    <name>ServerControlPanel</name>
    <message>
        <source>Record</source>
        <translation>录制</translation>
    </message>
    <message>
        <source>Record whatever load reaches this server (Locust, wrk, curl, the simulated users) and keep it as a run in the Runs dock</source>
        <translation>录制到达此服务器的全部负载（Locust、wrk、curl、模拟用户），并作为一次运行保存在“运行”面板中</translation>
    </message>
    <message>
        <source>Blocking</source>
        <translation>阻塞</translation>
    </message>
    <message>
        <source>The pipeline runs on the event loop and blocks it (sync call inside async def)</source>
        <translation>处理流程在事件循环上运行并阻塞它（async def 中的同步调用）</translation>
    </message>
    <message>
        <source>Executor</source>
        <translation>线程池</translation>
    </message>
    <message>
        <source>The same pipeline runs on a thread pool (run_in_executor)</source>
        <translation>同样的处理流程在线程池上运行（run_in_executor）</translation>
    </message>
    <message>
        <source>Async</source>
        <translation>异步</translation>
    </message>
    <message>
        <source>Nothing waits on a thread: timers and non-blocking I/O (await)</source>
        <translation>没有线程在等待：定时器和非阻塞 I/O（await）</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>Event loops accepting on the same port (uvicorn --workers)</source>
        <translation>在同一端口上接收连接的事件循环数（uvicorn --workers）</translation>
    </message>
    <message>
        <source>Workers</source>
        <translation>Worker 数</translation>
    </message>
    <message>
        <source>auto (%1)</source>
        <translation>自动（%1）</translation>
    </message>
    <message>
        <source>Executor size: threads, auto = min(32, cores + 4) like run_in_executor; or processes, auto = cores like ProcessPoolExecutor</source>
        <translation>执行器大小：线程池自动 = min(32, 核数 + 4)，与 run_in_executor 相同；进程池自动 = 核数，与 ProcessPoolExecutor 相同</translation>
    </message>
    <message>
        <source>Pool size</source>
        <translation>池大小</translation>
    </message>
    <message>
        <source>Thread pool</source>
        <translation>线程池</translation>
    </message>
    <message>
        <source>Process pool</source>
        <translation>进程池</translation>
    </message>
    <message>
        <source>What the executor mode hands work to. Threads: light, fast to start. Processes: loopscope worker processes, slow to start (traced), each with its own core and no shared lock; they run the CPU work, the rest of the pipeline stays here.</source>
        <translation>执行器模式把工作交给谁。线程：轻量、启动快。进程：loopscope 工作进程，启动慢（会被追踪），各用各的核、没有共享的锁；它们执行 CPU 计算，流水线的其余部分留在这里。</translation>
    </message>
    <message>
        <source>Executor kind</source>
        <translation>执行器类型</translation>
    </message>
    <message>
        <source>Model CPython&apos;s GIL</source>
        <translation>模拟 CPython 的 GIL</translation>
    </message>
    <message>
        <source>A model of CPython, not a property of this server: pool threads take one interpreter lock to run CPU work, release it while they wait on I/O, and hand it over every 5 ms (sys.getswitchinterval). Off: C++ threads run CPU work in parallel on every core.</source>
        <translation>这是 CPython 的模型，而不是本服务器的特性：线程池线程执行 CPU 计算时持有同一把解释器锁，等待 I/O 时释放，并每 5 毫秒交出一次（sys.getswitchinterval）。关闭时：C++ 线程在所有核上并行执行 CPU 计算。</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>线程</translation>
    </message>
    <message>
        <source>CPU-bound step per request: hashing until this much thread CPU time is used (seed 2: async does not help CPU-bound work)</source>
        <translation>每个请求的 CPU 密集步骤：持续哈希，直到用掉这么多线程 CPU 时间（种子 2：异步帮不了 CPU 密集型任务）</translation>
    </message>
    <message>
        <source>CPU work</source>
        <translation>CPU 计算</translation>
    </message>
    <message>
        <source>DB read</source>
        <translation>数据库读取</translation>
    </message>
    <message>
        <source>Distribution of the LLM latency</source>
        <translation>LLM 延迟的分布</translation>
    </message>
    <message>
        <source>LLM call</source>
        <translation>LLM 调用</translation>
    </message>
    <message>
        <source>Half-width (uniform) or standard deviation (normal, log-normal)</source>
        <translation>半宽（均匀分布）或标准差（正态、对数正态）</translation>
    </message>
    <message>
        <source>LLM spread</source>
        <translation>LLM 波动</translation>
    </message>
    <message>
        <source>First token</source>
        <translation>首 token</translation>
    </message>
    <message>
        <source>DB write</source>
        <translation>数据库写入</translation>
    </message>
    <message>
        <source>Multiplies every simulated delay (0.1 = ten times faster)</source>
        <translation>所有模拟延迟乘以此系数（0.1 = 快十倍）</translation>
    </message>
    <message>
        <source>Time scale</source>
        <translation>时间缩放</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Answer 503 past this many requests in flight (uvicorn --limit-concurrency)</source>
        <translation>处理中的请求超过此数时返回 503（uvicorn --limit-concurrency）</translation>
    </message>
    <message>
        <source>Admission limit</source>
        <translation>准入上限</translation>
    </message>
    <message>
        <source>any free</source>
        <translation>任意空闲端口</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Start server</source>
        <translation>启动服务器</translation>
    </message>
    <message>
        <source>X-API-Key of this server</source>
        <translation>此服务器的 X-API-Key</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Copy curl command</source>
        <translation>复制 curl 命令</translation>
    </message>
    <message>
        <source>A streaming chat request to this server, ready to paste into a terminal</source>
        <translation>发往此服务器的流式聊天请求，可直接粘贴到终端</translation>
    </message>
    <message>
        <source>curl command copied to the clipboard</source>
        <translation>curl 命令已复制到剪贴板</translation>
    </message>
    <message>
        <source>Server did not start: %1</source>
        <translation>服务器未能启动：%1</translation>
    </message>
    <message>
        <source>Stopping: letting requests in flight finish…</source>
        <translation>正在停止：等待处理中的请求完成…</translation>
    </message>
    <message>
        <source>Server stopped</source>
        <translation>服务器已停止</translation>
    </message>
    <message>
        <source>Restarting with %1 worker(s)…</source>
        <translation>正在以 %1 个 worker 重启…</translation>
    </message>
    <message>
        <source>Server now %1, %2 worker(s), pool %3</source>
        <translation>服务器现在为 %1，%2 个 worker，线程池 %3</translation>
    </message>
    <message>
        <source>Restart failed: %1</source>
        <translation>重启失败：%1</translation>
    </message>
    <message>
        <source>Reconfiguration failed: %1</source>
        <translation>重新配置失败：%1</translation>
    </message>
    <message>
        <source>&lt;b&gt;Stopping…&lt;/b&gt; requests in flight are finishing</source>
        <translation>&lt;b&gt;正在停止…&lt;/b&gt; 处理中的请求即将完成</translation>
    </message>
    <message>
        <source>&lt;b&gt;Starting…&lt;/b&gt; opening the database</source>
        <translation>&lt;b&gt;正在启动…&lt;/b&gt; 正在打开数据库</translation>
    </message>
    <message>
        <source>Cancel start</source>
        <translation>取消启动</translation>
    </message>
    <message>
        <source>Stop server</source>
        <translation>停止服务器</translation>
    </message>
    <message>
        <source>&lt;b&gt;Serving&lt;/b&gt; · %1 · %2 worker(s) · pool %3 · %4</source>
        <translation>&lt;b&gt;服务中&lt;/b&gt; · %1 · %2 个 worker · 线程池 %3 · %4</translation>
    </message>
    <message>
        <source>&lt;b&gt;Not started&lt;/b&gt;: %1</source>
        <translation>&lt;b&gt;未启动&lt;/b&gt;：%1</translation>
    </message>
    <message>
        <source>not listening</source>
        <translation>未监听</translation>
    </message>
    <message>
        <source>&lt;b&gt;Stopped&lt;/b&gt;</source>
        <translation>&lt;b&gt;已停止&lt;/b&gt;</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Auto-scaling: the most worker loops (Workers is the fewest); off keeps Workers fixed</source>
        <translation>自动伸缩：worker 事件循环的最大数量（Worker 数为最小值）；关闭则保持 Worker 数不变</translation>
    </message>
    <message>
        <source>&gt; </source>
        <translation>&gt; </translation>
    </message>
    <message>
        <source>Add a worker while more than this many requests wait (accept queue + not started)</source>
        <translation>等待的请求超过此数时增加一个 worker（接收队列 + 尚未开始的请求）</translation>
    </message>
    <message>
        <source>Retire a worker idle this long</source>
        <translation>worker 空闲这么久后将其退役</translation>
    </message>
    <message>
        <source>Auto-scale to</source>
        <translation>自动伸缩至</translation>
    </message>
    <message>
        <source>Not applied: %1</source>
        <translation>未应用：%1</translation>
    </message>
</context>
<context>
    <name>TimelinePasses</name>
    <message>
        <source>● live</source>
        <translation>● 实时</translation>
    </message>
    <message>
        <source>❚❚ paused</source>
        <translation>❚❚ 已暂停</translation>
    </message>
    <message>
        <source>%1 requests
in arrival order</source>
        <translation>%1 个请求
按到达顺序</translation>
    </message>
    <message>
        <source>blocked %1%</source>
        <translation>阻塞 %1%</translation>
    </message>
    <message>
        <source>other traffic%1</source>
        <translation>其他流量%1</translation>
    </message>
    <message>
        <source>%1 requests
in arrival order

%2 of them other traffic (muted)</source>
        <translation>%1 个请求
按到达顺序

其中 %2 个为其他流量（淡显）</translation>
    </message>
    <message>
        <source>lanes %1-%2 of %3</source>
        <translation>泳道 %1-%2，共 %3 条</translation>
    </message>
</context>
<context>
    <name>TimelineView</name>
    <message>
        <source>No requests yet: start the server, then send load or chat.</source>
        <translation>还没有请求：先启动服务器，然后发送负载或聊天。</translation>
    </message>
    <message>
        <source>No thread has run a request yet.</source>
        <translation>还没有线程处理过请求。</translation>
    </message>
    <message>
        <source>&lt;i&gt;Other traffic: not part of this run, but it shared the server with it.&lt;/i&gt;&lt;br&gt;</source>
        <translation>&lt;i&gt;其他流量：不属于本次运行，但与它共用了服务器。&lt;/i&gt;&lt;br&gt;</translation>
    </message>
    <message>
        <source>Supervisor %1: %2 (%3 worker loops)</source>
        <translation>自动伸缩 %1：%2（%3 个工作循环）</translation>
    </message>
</context>
<context>
    <name>UsersPanel</name>
    <message>
        <source>Start here: press Start users. Five users, one blocking server: watch the staircase.</source>
        <translation>从这里开始：按“启动用户”。5 个用户，一个阻塞的服务器：看那道阶梯。</translation>
    </message>
    <message>
        <source>Now press Start users again: the same five users with run_in_executor.</source>
        <translation>现在再按一次“启动用户”：同样 5 个用户，改用 run_in_executor。</translation>
    </message>
    <message>
        <source>Both runs are in the Runs tab: Ctrl+click the two and press Compare.</source>
        <translation>两次运行都在“运行记录”标签页：按住 Ctrl 点选这两次，再按“比较”。</translation>
    </message>
    <message>
        <source>Custom burst</source>
        <translation>自定义突发</translation>
    </message>
    <message>
        <source>The seeds&apos; situations; choosing one fills the fields and, on start, the server settings</source>
        <translation>种子文档中的场景；选择后会填写各字段，并在开始时应用服务器设置</translation>
    </message>
    <message>
        <source>Scenario</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>&lt;i&gt;N users hit the server at once: in blocking mode they are served one after another (the seed&apos;s 2.15, 4.30, 6.45… s staircase); in executor or async mode together.&lt;/i&gt;</source>
        <translation>&lt;i&gt;N 个用户同时访问服务器：阻塞模式下依次处理（种子文档中 2.15、4.30、6.45…秒的阶梯）；线程池或异步模式下同时处理。&lt;/i&gt;</translation>
    </message>
    <message>
        <source>closed (users + think time)</source>
        <translation>封闭（用户 + 思考时间）</translation>
    </message>
    <message>
        <source>open (arrival rate)</source>
        <translation>开放（到达率）</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户数</translation>
    </message>
    <message>
        <source>Requests / user</source>
        <translation>每用户请求数</translation>
    </message>
    <message>
        <source>Think time</source>
        <translation>思考时间</translation>
    </message>
    <message>
        <source>Time to start all users (0: all at once)</source>
        <translation>启动全部用户所用时间（0：同时启动）</translation>
    </message>
    <message>
        <source>Ramp-up</source>
        <translation>爬升时间</translation>
    </message>
    <message>
        <source> req/s</source>
        <translation> 请求/秒</translation>
    </message>
    <message>
        <source>Arrival rate</source>
        <translation>到达率</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>持续时间</translation>
    </message>
    <message>
        <source>naive client (seed&apos;s test script)</source>
        <translation>朴素客户端（种子文档的测试脚本）</translation>
    </message>
    <message>
        <source>The seed&apos;s test script: the &quot;concurrent&quot; users actually send one after another</source>
        <translation>种子文档的测试脚本：“并发”用户实际上是一个接一个发送</translation>
    </message>
    <message>
        <source>stream replies</source>
        <translation>流式回复</translation>
    </message>
    <message>
        <source>Start users</source>
        <translation>启动用户</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>done: %1 ok, %2 errors</source>
        <translation>完成：%1 成功，%2 错误</translation>
    </message>
    <message>
        <source>%1 requests in %2 s</source>
        <translation>%2 秒内 %1 个请求</translation>
    </message>
    <message>
        <source>Start the server first.</source>
        <translation>请先启动服务器。</translation>
    </message>
    <message>
        <source>Users did not start: %1</source>
        <translation>用户未能启动：%1</translation>
    </message>
    <message>
        <source>Stop users</source>
        <translation>停止用户</translation>
    </message>
    <message>
        <source>starting…</source>
        <translation>启动中…</translation>
    </message>
    <message>
        <source>%1 / %2 requests</source>
        <translation>%1 / %2 个请求</translation>
    </message>
    <message>
        <source>%1 requests</source>
        <translation>%1 个请求</translation>
    </message>
    <message>
        <source>ETA %1 s · </source>
        <translation>预计剩余 %1 秒 · </translation>
    </message>
    <message>
        <source>%1 in flight · %2 req/s · %3 errors · %4 late sends</source>
        <translation>%1 处理中 · %2 请求/秒 · %3 错误 · %4 延迟发送</translation>
    </message>
    <message>
        <source>waiting for the server to restart…</source>
        <translation>等待服务器重启…</translation>
    </message>
    <message>
        <source>The server did not come back; users not started.</source>
        <translation>服务器未能恢复；用户未启动。</translation>
    </message>
</context>
</TS>
