/** Entry of /admin: the administration screens for administrators (their own bundle). */
import { render } from "preact";
import "../common/styles.css";
import "./admin.css";
import { AdminApp } from "./app.js";

render(<AdminApp />, document.getElementById("app")!);
