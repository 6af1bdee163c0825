/* The recorder interface vendor libraries export (the GA/T 947 family of
 * public-security recorder standards, "执法记录仪" SDKs), as dockd calls it.
 * BOOL-style returns: 1 success, 0 failure; the status detail is in *iRet.
 * Strings are GBK. The ZFY_INFO block is opaque here: its layout (89 bytes
 * packed or 94 bytes NUL-terminated) is chosen in the driver's config.
 * Multi-device variants append `int usb_index` and are named *_ByIndex. */
#ifndef DOCKD_ZFY_API_H
#define DOCKD_ZFY_API_H

#ifdef __cplusplus
extern "C" {
#endif

typedef int (*Init_Device_fn)(char* IDCode, int* iRet);
typedef int (*Init_Device_ByIndex_fn)(char* IDCode, int* iRet, int usb_index);
typedef int (*GetZFYInfo_fn)(void* info, char* pwd, int* iRet);
typedef int (*GetZFYInfo_ByIndex_fn)(void* info, char* pwd, int* iRet, int usb_index);
typedef int (*WriteZFYInfo_fn)(void* info, char* pwd, int* iRet);
typedef int (*SyncDevTime_fn)(char* pwd, int* iRet);
typedef int (*SetMSDC_fn)(char* pwd, int* iRet); /* iRet 7 = switched to mass storage */
typedef int (*ReadDeviceBatteryDumpEnergy_fn)(int* percent, char* pwd, int* iRet);
typedef int (*UnInit_Device_fn)(int* iRet);

#define ZFY_IDCODE_BYTES 64 /* caller's buffer for Init_Device's IDCode */
#define ZFY_MSDC_OK 7

#ifdef __cplusplus
}
#endif
#endif
