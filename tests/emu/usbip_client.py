#!/usr/bin/env python3
"""A USB/IP client in user space, for testing `dropboot-emu serve` without a
kernel: it imports busid 1-1 and sends URBs the way vhci-hcd would, from the
protocol facts in the kernel's Documentation/usb/usbip_protocol.rst (all
fields big-endian, 48-byte URB headers).

usage: usbip_client.py PORT   (exit 0 when every check passed)
"""
import socket
import struct
import sys

VERSION = 0x0111
OP_REQ_IMPORT, OP_REP_IMPORT = 0x8003, 0x0003
CMD_SUBMIT, CMD_UNLINK, RET_SUBMIT, RET_UNLINK = 1, 2, 3, 4
DIR_OUT, DIR_IN = 0, 1
EPIPE, ECONNRESET = -32, -104
DEVICE_RECORD = 312


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.seq = 0
        self.devid = 0
        self.dirs = {}  # seqnum -> direction: a RET_SUBMIT's own direction field is 0 (protocol doc)

    def recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError("server closed the connection")
            buf += chunk
        return buf

    def import_device(self):
        self.s.sendall(struct.pack(">HHI32s", VERSION, OP_REQ_IMPORT, 0, b"1-1"))
        version, code, status = struct.unpack(">HHI", self.recv(8))
        assert code == OP_REP_IMPORT and status == 0, "import refused"
        rec = self.recv(DEVICE_RECORD)
        busnum, devnum, speed, vid, pid = struct.unpack(">IIIHH", rec[288:304])
        self.devid = (busnum << 16) | devnum
        return vid, pid, speed

    def submit(self, ep, direction, length, setup=b"\0" * 8, data=b""):
        self.seq += 1
        hdr = struct.pack(">IIIIIIiiii8s", CMD_SUBMIT, self.seq, self.devid, direction, ep, 0, length, 0, -1, 0, setup)
        self.s.sendall(hdr + data)
        self.dirs[self.seq] = direction
        return self.seq

    def unlink(self, seq):
        self.seq += 1
        hdr = struct.pack(">IIIIIi", CMD_UNLINK, self.seq, self.devid, 0, 0, seq) + b"\0" * 24
        self.s.sendall(hdr)
        return self.seq

    def reply(self):
        hdr = self.recv(48)
        command, seq, _, _, _, status, actual = struct.unpack(">IIIIIii", hdr[:28])
        inward = command == RET_SUBMIT and self.dirs.pop(seq, DIR_OUT) == DIR_IN
        data = self.recv(actual) if inward and actual > 0 else b""
        return command, seq, status, data

    def urb(self, ep, direction, length, setup=b"\0" * 8, data=b""):
        seq = self.submit(ep, direction, length, setup, data)
        command, rseq, status, reply = self.reply()
        assert command == RET_SUBMIT and rseq == seq, "reply to another URB"
        return status, reply

    def control_in(self, req_type, req, value, index, length):
        return self.urb(0, DIR_IN, length, struct.pack("<BBHHH", req_type, req, value, index, length))

    def control_out(self, req_type, req, value, index):
        return self.urb(0, DIR_OUT, 0, struct.pack("<BBHHH", req_type, req, value, index, 0))

    def scsi(self, cdb, length, tag):
        """One Bulk-Only command with an IN (or no) data phase: (data, csw status)."""
        cbw = struct.pack("<IIIBBB", 0x43425355, tag, length, 0x80, 0, len(cdb)) + cdb.ljust(16, b"\0")
        status, _ = self.urb(1, DIR_OUT, len(cbw), data=cbw)
        assert status == 0, "CBW: status %d" % status
        data = b""
        if length:
            status, data = self.urb(1, DIR_IN, length)
            assert status == 0, "data: status %d" % status
        status, csw = self.urb(1, DIR_IN, 13)
        assert status == 0 and csw[:4] == b"USBS", "CSW: status %d, %r" % (status, csw)
        assert struct.unpack("<I", csw[4:8])[0] == tag, "CSW tag"
        return data, csw[12]


def check(name, cond):
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        sys.exit(1)


def main():
    c = Conn(int(sys.argv[1]))
    vid, pid, speed = c.import_device()
    check("import: the device record has the board's VID and full speed", vid == 0x1209 and speed == 2)
    status, dev = c.control_in(0x80, 6, 0x0100, 0, 18)
    check("GET_DESCRIPTOR(device) through the emulated chip", status == 0 and len(dev) == 18 and dev[1] == 1)
    status, _ = c.control_in(0x80, 6, 0x0900, 0, 9)
    check("a descriptor the device does not have comes back as -EPIPE (STALL)", status == EPIPE)
    status, _ = c.control_out(0x00, 9, 1, 0)
    check("SET_CONFIGURATION(1)", status == 0)
    _, st = c.scsi(b"\x00", 0, 1)
    check("first TEST UNIT READY: CHECK CONDITION (unit attention)", st == 1)
    sense, st = c.scsi(b"\x03\0\0\0\x12\0", 18, 2)
    check("REQUEST SENSE: UNIT ATTENTION", st == 0 and sense[2] & 0x0F == 6)
    cap, st = c.scsi(b"\x25" + b"\0" * 9, 8, 3)
    last, size = struct.unpack(">II", cap)
    check("READ CAPACITY: 512-byte sectors, 32 MB", st == 0 and size == 512 and (last + 1) * 512 == 32 * 1024 * 1024)
    boot, st = c.scsi(b"\x28\0\0\0\0\0\0\0\x01\0", 512, 4)
    check("READ(10) of the boot sector: FAT16, 0x55AA", st == 0 and boot[510:512] == b"\x55\xaa" and b"FAT16" in boot)
    # A bulk IN with no command behind it NAKs until the host gives up on it.
    seq = c.submit(1, DIR_IN, 13)
    useq = c.unlink(seq)
    command, rseq, status, _ = c.reply()
    check("an IN URB the device NAKs is unlinked (-ECONNRESET)", command == RET_UNLINK and rseq == useq
          and status == ECONNRESET)
    _, st = c.scsi(b"\x00", 0, 5)
    check("the pipes work after the unlink", st == 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
