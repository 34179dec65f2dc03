package api

// PathEquipment is the equipment register (GET, scope supervision): each
// agency's devices with capture and body cameras, what they recorded and
// stored, and the counts of people and equipment the seed asks for. A
// token held to one agency gets that agency's; ?stale_days= (1…365,
// default 7) says after how long without a sync a device is flagged.
const PathEquipment = "/api/v1/admin/equipment"

// Body-camera statuses (在用、维修、停用、报废).
const (
	CameraInUse    = "in_use"
	CameraRepair   = "repair"
	CameraDisabled = "disabled"
	CameraScrapped = "scrapped"
)

// CameraStatuses are the statuses a body camera may have, in order.
var CameraStatuses = []string{CameraInUse, CameraRepair, CameraDisabled, CameraScrapped}

// Device states in the register.
const (
	DeviceOK      = "ok"
	DeviceStale   = "stale"   // no sync for StaleDays or more, or never
	DeviceRevoked = "revoked" // its token no longer works
)

// Equipment is the register: one entry per agency, in code order, and
// the devices no agency's records or people name yet (city's view only).
type Equipment struct {
	AsOf       string            `json:"as_of"` // RFC 3339, UTC
	StaleDays  int               `json:"stale_days"`
	Agencies   []AgencyEquipment `json:"agencies"`
	Unassigned []EquipmentDevice `json:"unassigned"`
}

// Recordings counts recordings (media records) by kind.
type Recordings struct {
	Audio int `json:"audio"`
	Video int `json:"video"`
	Photo int `json:"photo"`
}

// AgencyEquipment is one agency's equipment and people.
type AgencyEquipment struct {
	Agency    string `json:"agency"`
	Name      string `json:"name"`
	Officers  int    `json:"officers"`  // with a valid certificate
	Reviewers int    `json:"reviewers"` // legal reviewers, active
	// DevicesByKind counts the agency's enrolled devices by kind
	// (officer, kiosk, window…), revoked ones left out.
	DevicesByKind     map[string]int `json:"devices_by_kind"`
	BodyCameras       int            `json:"body_cameras"` // registered and not scrapped
	BodyCamerasInUse  int            `json:"body_cameras_in_use"`
	OfficersPerCamera float64        `json:"officers_per_camera"` // 0 when no camera is in use
	// Recordings are all the agency's recordings: the desks' own captures
	// and the files imported from body cameras.
	Recordings Recordings `json:"recordings"`
	// StorageBytes are the bytes of evidence the agency's devices uploaded.
	StorageBytes int64             `json:"storage_bytes"`
	Devices      []EquipmentDevice `json:"devices"`
	Cameras      []BodyCamera      `json:"cameras"`
	// Unattributed are imported recordings no registered camera could be
	// named for.
	Unattributed Recordings `json:"unattributed"`
}

// EquipmentDevice is an enrolled device in the register.
type EquipmentDevice struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Agency   string `json:"agency"`
	Enrolled string `json:"enrolled"`
	LastSeen string `json:"last_seen"` // "" for never
	State    string `json:"state"`     // ok, stale, revoked
	// Capture names the microphones and cameras its own recordings say
	// they were made with.
	Capture    []string   `json:"capture"`
	Recordings Recordings `json:"recordings"` // captured on the desk
	Imported   int        `json:"imported"`   // recordings imported from files
	// StorageBytes are the bytes of the evidence files it uploaded.
	StorageBytes int64 `json:"storage_bytes"`
}

// BodyCamera is a body camera (执法记录仪) in the register, as last set.
type BodyCamera struct {
	Serial     string     `json:"serial"`
	Agency     string     `json:"agency"`
	Make       string     `json:"make"`
	Model      string     `json:"model"`
	Officer    string     `json:"officer"` // certificate number; "" for none
	Status     string     `json:"status"`  // in_use, repair, disabled, scrapped
	Changed    string     `json:"changed"` // RFC 3339, UTC
	ChangedBy  string     `json:"changed_by"`
	Recordings Recordings `json:"recordings"` // imported from it
	// StorageBytes are the bytes of its recordings' files the platform holds.
	StorageBytes int64  `json:"storage_bytes"`
	LastImport   string `json:"last_import"` // the newest recording's time, RFC 3339; "" for none
}
