#!/usr/bin/python3
"""Reads HKLM keys with impacket's MS-RRP client over an SMB connection and prints JSON.

usage: impacket-rrp-read.py HOST PORT USER KEY...   (password on stdin, first line)
output: {"KEY": null | "denied" | {"VALUE": [type, "text, decimal or hex:..."], ...}, ...}  (null: the key does not exist; "denied": access denied)
"""
import json
import sys

from impacket.dcerpc.v5 import rrp, transport
from impacket.dcerpc.v5.rpcrt import DCERPCException
from impacket.smbconnection import SMBConnection


def main():
    host, port, user = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    password = sys.stdin.readline().rstrip("\r\n")
    smb = SMBConnection(host, host, sess_port=port)
    smb.login(user, password)
    pipe = transport.SMBTransport(host, port, r"\winreg", smb_connection=smb)
    dce = pipe.get_dce_rpc()
    dce.connect()
    dce.bind(rrp.MSRPC_UUID_RRP)
    hklm = rrp.hOpenLocalMachine(dce)["phKey"]
    out = {}
    for key in sys.argv[4:]:
        try:
            handle = rrp.hBaseRegOpenKey(dce, hklm, key)["phkResult"]
        except rrp.DCERPCSessionError as e:
            if e.get_error_code() == 2:
                out[key] = None
                continue
            raise
        except DCERPCException as e:
            out[key] = "denied" if "access_denied" in str(e).lower() else "error: " + str(e)
            continue
        try:
            out[key] = read_values(dce, handle)
        except DCERPCException as e:
            out[key] = "denied" if "access_denied" in str(e).lower() else "error: " + str(e)
        rrp.hBaseRegCloseKey(dce, handle)
    print(json.dumps(out))


def read_values(dce, handle):
    values = {}
    index = 0
    while True:
        try:
            name = rrp.hBaseRegEnumValue(dce, handle, index)["lpValueNameOut"][:-1]
        except rrp.DCERPCSessionError as e:
            if e.get_error_code() == 259:
                break
            raise
        value_type, data = rrp.hBaseRegQueryValue(dce, handle, name)
        if isinstance(data, str):
            text = data.rstrip("\0")
        elif isinstance(data, int):
            text = str(data)
        else:
            text = "hex:" + bytes(data).hex()
        values[name] = [value_type, text]
        index += 1
    return values


if __name__ == "__main__":
    main()
