#!/usr/bin/python3
# Copyright: dockcfg authors. Apache-2.0.
"""Ansible module: hold a Docker daemon's desired state with `dockcfg apply -f - --json`."""

from __future__ import annotations

import json
import re

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: dockcfg_apply
short_description: Apply a desired state to dockerd's configuration with dockcfg, safely
description:
  - Sends the desired-state document (C(daemon), C(owners), C(remote)) to C(dockcfg apply -f - --json)
    on the managed host, which applies it as one change (one backup, at most one restart, live
    verification, automatic rollback) and answers in JSON.
  - C(changed) is dockcfg's own answer. In check mode the document goes to C(--dry-run) and the
    pending change is reported without touching anything. In diff mode dockcfg's unified diff of
    every file (private keys shown only as size and digest) is the task's diff.
  - On failure the task fails with dockcfg's message, remedy and exit code (4 = rolled back,
    5 = the rollback failed too, 7 = refused for safety).
options:
  daemon:
    description: daemon.json settings to hold; a null value removes the key.
    type: dict
    default: {}
  owners:
    description: for a directive set both in daemon.json and on dockerd's command line, which side keeps it (file or flags).
    type: dict
    default: {}
  remote:
    description: remote access state (enabled, address, port, ca, san, insecure); empty leaves remote access as it is.
    type: dict
    default: {}
  replace:
    description: make daemon.json exactly I(daemon).
    type: bool
    default: false
  executable:
    description: the dockcfg program on the managed host.
    type: path
    default: dockcfg
  root:
    description: apply to this filesystem tree (an image being built) instead of the live host.
    type: path
  config_file:
    description: daemon.json inside the tree.
    type: path
  dockerd_version:
    description: validate for this dockerd version instead of asking the installed one.
    type: str
  assume_yes:
    description:
      - C(--yes) accept a restart that stops running containers, or a change that moves dockerd's data (dockcfg refuses without it, exit 7).
      - Not called C(yes), which YAML 1.1 reads as a boolean key.
    type: bool
    default: false
  keep_containers:
    description: switch live-restore on by reload first so running containers survive.
    type: bool
    default: false
  no_restart:
    description: write only; dockcfg reports what dockerd still needs.
    type: bool
    default: false
  timeout:
    description: seconds dockerd may take to come back before the change is rolled back.
    type: int
  extra_args:
    description: further flags for dockcfg apply.
    type: list
    elements: str
    default: []
"""

RETURN = r"""
action:
  description: what was done to the running daemon (none, written, reloaded, restarted).
  type: str
changed_keys:
  description: the daemon.json keys the change sets or removes.
  type: list
backup_id:
  description: the backup taken before the change; C(dockcfg rollback ID) undoes it.
  type: str
result:
  description: dockcfg's whole --json result.
  type: dict
"""

# Exit code 8 (ChangesPending) is what `dockcfg apply --check` answers when something would change:
# a result like any dry run's, not a failure.
CHANGES_PENDING = 8

# dockcfg never prints a private key; this keeps it so even if some future message quoted one,
# because Ansible writes task results to terminals, logs and callbacks.
PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.S)


def redact(text):
    if not isinstance(text, str):
        return text
    return PRIVATE_KEY.sub("[private key withheld]", text)


def redact_value(value):
    """Every string inside a JSON value, through redact(); iterative, as dockcfg's JSON can nest deeply."""
    root = [value]
    stack = [(root, 0)]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = redact(item)
        elif isinstance(item, dict):
            stack.extend((item, k) for k in item)
        elif isinstance(item, list):
            stack.extend((item, i) for i in range(len(item)))
    return root[0]


def desired_state(params):
    """The pinned document: daemon always, owners and remote only when given (absent = leave as is)."""
    doc = {"daemon": params["daemon"] or {}}
    if params["owners"]:
        doc["owners"] = params["owners"]
    if params["remote"]:
        doc["remote"] = params["remote"]
    return doc


def command_line(params, check_mode):
    argv = [params["executable"], "apply", "-f", "-", "--json"]
    if check_mode:
        argv.append("--dry-run")
    if params["replace"]:
        argv.append("--replace")
    for name, flag in (("root", "--root"), ("config_file", "--config-file"), ("dockerd_version", "--dockerd-version")):
        if params[name] is not None:
            argv.extend([flag, str(params[name])])
    if params["timeout"] is not None:
        argv.extend(["--timeout", str(params["timeout"])])
    for name, flag in (("assume_yes", "--yes"), ("keep_containers", "--keep-containers"), ("no_restart", "--no-restart")):
        if params[name]:
            argv.append(flag)
    argv.extend(params["extra_args"])
    return argv


def parse_answer(stdout):
    """dockcfg prints exactly one JSON document with --json; anything else is not an answer."""
    try:
        answer = json.loads(stdout)
    except (ValueError, RecursionError):
        # Python's json recurses and stops near 1,000 levels; a daemon.json value can nest 10,000.
        return None
    return answer if isinstance(answer, dict) else None


def outcome(rc, stdout, stderr, check_mode, diff_mode):
    """What the task reports, as a pair: (failed, fields). Pure, so it is tested without Ansible running."""
    answer = parse_answer(stdout)
    if answer is None:
        tail = redact("\n".join(stderr.strip().splitlines()[-20:]))
        return True, {"msg": "dockcfg apply gave no readable JSON answer (exit %d): %s" % (rc, tail or "no output"), "rc": rc, "changed": False}
    answer = redact_value(answer)
    error = answer.get("error")
    if isinstance(error, dict):
        fields = {"msg": error.get("message", "dockcfg apply failed"), "rc": error.get("exitCode", rc), "changed": False, "error": error}
        if "remedy" in error:
            fields["remedy"] = error["remedy"]
        # Exit 4: dockcfg wrote, restarted, failed and put the previous state back: the host is as
        # before, but it was touched (a restart), so the task says so.
        if rc == 4 or error.get("action") == "rolled-back":
            fields["changed"] = True
        return True, fields
    if rc not in (0, CHANGES_PENDING):
        return True, {"msg": "dockcfg apply failed (exit %d): %s" % (rc, redact(stderr.strip()) or "no message"), "rc": rc, "changed": False, "result": answer}
    changed = bool(answer.get("changed")) or rc == CHANGES_PENDING
    fields = {
        "changed": changed,
        "action": answer.get("action", "none"),
        "changed_keys": answer.get("changedKeys", []),
        "files": answer.get("files", []),
        "warnings_dockcfg": answer.get("warnings", []),
        "result": answer,
    }
    if answer.get("backupId"):
        fields["backup_id"] = answer["backupId"]
    if diff_mode and changed and answer.get("diff"):
        fields["diff"] = {"prepared": answer["diff"]}
    if check_mode:
        fields["msg"] = "changes pending" if changed else "nothing to change"
    return False, fields


def main():
    module = AnsibleModule(
        argument_spec=dict(
            daemon=dict(type="dict", default={}),
            owners=dict(type="dict", default={}),
            remote=dict(type="dict", default={}),
            replace=dict(type="bool", default=False),
            executable=dict(type="path", default="dockcfg"),
            root=dict(type="path"),
            config_file=dict(type="path"),
            dockerd_version=dict(type="str"),
            assume_yes=dict(type="bool", default=False),
            keep_containers=dict(type="bool", default=False),
            no_restart=dict(type="bool", default=False),
            timeout=dict(type="int"),
            extra_args=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    document = json.dumps(desired_state(module.params))
    argv = command_line(module.params, module.check_mode)
    # No shell: the document goes over stdin, never through a command line or a temp file.
    rc, stdout, stderr = module.run_command(argv, data=document, binary_data=True, encoding="utf-8")
    failed, fields = outcome(rc, stdout, stderr, module.check_mode, module._diff)
    warnings = fields.pop("warnings_dockcfg", [])
    for warning in warnings:
        module.warn("dockcfg: %s" % warning)
    if failed:
        module.fail_json(**fields)
    module.exit_json(**fields)


if __name__ == "__main__":
    main()
